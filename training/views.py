"""Pages of the training ledger: "我的学时" for a teacher, the review queue for schools,
compliance dashboards for bureaus, rule sets, the transcript. Every object comes through the
scope function."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import permissions
from portal import rules as kernel_rules
from portal.choices import Role
from portal.imports import workbooks
from portal.models import Region, School, Teacher
from portal.scope import scope_queryset
from portal.services import audit_record

from . import selectors, services, transcript
from .choices import ComplianceStatus, Source
from .forms import ReviewForm, RuleSetForm, SelfReportForm
from .models import RuleSet, TrainingRecord

PAGE = 50


def _is_staff(user) -> bool:
    return permissions.is_bureau_staff(user)


def _may_review(user) -> bool:
    return _is_staff(user) or user.role == Role.SCHOOL_ADMIN


def _chart(by_year, rule) -> list[dict]:
    """Bars for the hours-per-year chart, scaled to the tallest bar or a year's share of the
    cycle, whichever is larger."""
    nominal = rule.required_per_cycle / rule.cycle_years
    top = max([nominal, *(credited for _y, credited, _e in by_year)]) or Decimal(1)
    return [
        {
            "year": year,
            "credited": credited,
            "ethics": ethics,
            "height": float(max(credited, 0) / top * 100),
            "ethics_height": float(max(ethics, 0) / top * 100),
        }
        for year, credited, ethics in by_year
    ] + [{"nominal_height": float(nominal / top * 100)}]


def _ledger_context(request, teacher: Teacher) -> dict:
    try:
        training = selectors.teacher_training(teacher, as_of=timezone.localdate())
    except selectors.NoRuleSet as exc:
        broken = isinstance(exc, selectors.BrokenRuleSet)
        return {"teacher": teacher, "no_rule_set": True, "broken_rule_set": broken}
    chart = _chart(training.by_year, training.rule)
    return {
        "teacher": teacher,
        "training": training,
        "assessment": training.assessment,
        "status_label": ComplianceStatus(training.assessment.status).label,
        "unit": training.rule.unit_label,
        "bars": chart[:-1],
        "nominal_height": chart[-1]["nominal_height"],
        "is_self": request.user.teacher_id == teacher.pk,
        "may_reverse": _is_staff(request.user) or request.user.role == Role.SCHOOL_ADMIN,
    }


@login_required
def my_training(request):
    if request.user.role != Role.TEACHER or request.user.teacher_id is None:
        raise Http404
    teacher = get_object_or_404(
        scope_queryset(request.user, Teacher.objects.select_related("school", "school__county")),
        pk=request.user.teacher_id,
    )
    form = SelfReportForm(teacher=teacher)
    if request.method == "POST":
        form = SelfReportForm(request.POST, request.FILES, teacher=teacher)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_create(
                    teacher=teacher,
                    course=data["course"],
                    description=data["description"],
                    hours=data["hours"],
                    completed_on=data["completed_on"],
                    level=data["level"],
                    category=data["category"],
                    mode=data["mode"],
                    missed=data.get("missed") or 0,
                    source=Source.SELF,
                    actor=request.user,
                    evidence=data["evidence"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    field = "course_code" if field == "course" else field
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Submitted. Your school will review it."))
                return redirect("my_training")
    return render(
        request, "training/ledger.html", {**_ledger_context(request, teacher), "form": form}
    )


@login_required
def teacher_ledger(request, pk):
    teacher = get_object_or_404(
        scope_queryset(request.user, Teacher.objects.select_related("school", "school__county")),
        pk=pk,
    )
    if request.user.teacher_id == teacher.pk:
        return redirect("my_training")
    return render(request, "training/ledger.html", _ledger_context(request, teacher))


@login_required
@require_POST
def record_reverse(request, pk):
    record = get_object_or_404(scope_queryset(request.user, TrainingRecord.objects.all()), pk=pk)
    if not (_is_staff(request.user) or request.user.role == Role.SCHOOL_ADMIN):
        raise Http404
    try:
        services.record_reverse(
            record=record, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The credit was reversed with a correcting record."))
    return redirect("training_teacher", record.teacher_id)


EVIDENCE_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


@login_required
def record_evidence(request, pk):
    record = get_object_or_404(scope_queryset(request.user, TrainingRecord.objects.all()), pk=pk)
    if not record.evidence:
        raise Http404
    extension = record.evidence.name.rsplit(".", 1)[-1].lower()
    content_type = EVIDENCE_CONTENT_TYPES.get(extension, "application/octet-stream")
    return FileResponse(
        record.evidence.open("rb"),
        as_attachment=content_type == "application/octet-stream",
        filename=f"培训证书-{record.pk}.{extension}",
        content_type=content_type,
    )


@login_required
def transcript_pdf(request, pk=None):
    user = request.user
    teacher_id = pk if pk is not None else user.teacher_id
    if teacher_id is None:
        raise Http404
    teacher = get_object_or_404(
        scope_queryset(user, Teacher.objects.select_related("school", "school__county")),
        pk=teacher_id,
    )
    try:
        training = selectors.teacher_training(teacher, as_of=timezone.localdate())
    except selectors.NoRuleSet:
        raise Http404 from None
    data = transcript.render(teacher, training)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"学时证明-{teacher.name}-{training.assessment.cycle.label()}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response


# --- Review ------------------------------------------------------------------------------------


@login_required
def review(request):
    user = request.user
    if not _may_review(user):
        raise Http404
    pending = selectors.pending_records(user)
    form = ReviewForm()
    if request.method == "POST":
        form = ReviewForm(request.POST)
        ids = [n for n in map(kernel_rules.small_int, request.POST.getlist("record")) if n]
        if form.is_valid() and ids:
            approve = form.cleaned_data["decision"] == "approve"
            chosen = pending.filter(pk__in=ids)
            asked = chosen.count()
            try:
                count = services.records_review(
                    records=chosen,
                    actor=user,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error("reason", exc.messages[0])
            else:
                messages.success(
                    request,
                    (
                        _("%(count)d records approved.")
                        if approve
                        else _("%(count)d records rejected.")
                    )
                    % {"count": count},
                )
                if approve and count < asked:
                    messages.warning(
                        request,
                        _(
                            "%(count)d records could no longer be credited (the provider's "
                            "qualification, or the teacher's entry into service) and were "
                            "rejected with the reason."
                        )
                        % {"count": asked - count},
                    )
                return redirect("training_review")
        elif not ids:
            messages.error(request, _("Tick the records first."))
    page = Paginator(pending, PAGE).get_page(request.GET.get("page"))
    return render(request, "training/review.html", {"page": page, "form": form})


# --- Compliance dashboards --------------------------------------------------------------------


@login_required
def compliance_home(request):
    user = request.user
    if user.role == Role.TEACHER:
        return redirect("my_training")
    if user.role == Role.SCHOOL_ADMIN:
        return redirect("training_school", user.school_id)
    from portal.selectors import home_region

    region = home_region(user)
    if region is None:
        raise Http404
    return redirect("training_region", region.pk)


@login_required
def compliance_region(request, pk):
    region = get_object_or_404(scope_queryset(request.user, Region.objects.all()), pk=pk)
    whole, rows = selectors.region_compliance(request.user, region)
    rule = None
    with contextlib.suppress(selectors.NoRuleSet):
        rule = selectors.rule_set_for(region, timezone.localdate())
    return render(
        request,
        "training/compliance.html",
        {
            "region": region,
            "whole": whole,
            "rows": rows,
            "rule_set": rule,
            "statuses": selectors.STATUS_ORDER,
            "labels": dict(ComplianceStatus.choices),
            "rows_are_schools": region.level == "county",
        },
    )


@login_required
def compliance_school(request, pk):
    school = get_object_or_404(
        scope_queryset(request.user, School.objects.select_related("county")), pk=pk
    )
    status = request.GET.get("status") or ""
    wanted = [status] if status in ComplianceStatus.values else ["behind", "at_risk"]
    summaries = selectors.teachers_by_status(request.user, school=school, statuses=wanted)
    counts = selectors.school_status_counts(request.user, school)
    page = Paginator(summaries, PAGE).get_page(request.GET.get("page"))
    try:
        ethics_week = selectors.ethics_week_counts(request.user, school, as_of=timezone.localdate())
    except selectors.NoRuleSet:
        ethics_week = None
    return render(
        request,
        "training/school.html",
        {
            "school": school,
            "ethics_week": ethics_week,
            "page": page,
            "counts": counts,
            "status": status,
            "statuses": selectors.STATUS_ORDER,
            "labels": dict(ComplianceStatus.choices),
            "query": f"status={status}" if status else "",
        },
    )


@login_required
def behind_export(request, pk):
    """The teachers behind or at risk in a region, to xlsx: who, where, how far."""
    region = get_object_or_404(scope_queryset(request.user, Region.objects.all()), pk=pk)
    if not (_is_staff(request.user)):
        raise Http404
    summaries = selectors.teachers_by_status(request.user, region=region)
    labels = dict(ComplianceStatus.choices)
    rows = (
        [
            s.teacher.school.code,
            s.teacher.school.name,
            s.teacher.name,
            s.teacher.id_number_masked,
            str(labels.get(s.status, s.status)),
            s.credited,
            s.required,
            s.ethics_this_year,
        ]
        for s in summaries.iterator(chunk_size=2000)
    )
    body = workbooks.table_xlsx(
        ["学校标识码", "学校", "姓名", "身份证号", "状态", "已完成", "要求", "本年度师德"],
        rows,
        title="学时进度落后教师",
    )
    audit_record(actor=request.user, action="training.export_behind", region=region)
    response = HttpResponse(body, content_type=workbooks.XLSX_CONTENT_TYPE)
    name = f"学时落后教师-{region.name}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# --- Rule sets ----------------------------------------------------------------------------------


@login_required
def rule_sets(request):
    user = request.user
    if not _is_staff(user):
        raise Http404
    own = user.region
    form = None
    if own is not None:
        # A new version starts from the rules in force (so it meets the floor above unless
        # the bureau changes something), from today.
        initial = {"effective_from": timezone.localdate()}
        with contextlib.suppress(selectors.NoRuleSet):
            current = selectors.rule_set_for(own, timezone.localdate())
            initial.update(
                {
                    name: getattr(current, name)
                    for name in RuleSetForm._meta.fields
                    if name not in ("name", "effective_from")
                }
            )
        form = RuleSetForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.rule_set_create(region=own, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                services.summaries_recompute(
                    teachers=Teacher.objects.filter(
                        status="serving", school__county__path__startswith=own.subtree_prefix
                    )
                )
                messages.success(
                    request,
                    _("The new rule set is saved and the figures of your region were recomputed."),
                )
                return redirect("training_rules")
    visible = scope_queryset(user, RuleSet.objects.select_related("region"))
    in_force = None
    if own is not None:
        with contextlib.suppress(selectors.NoRuleSet):
            in_force = selectors.rule_set_for(own, timezone.localdate())
    return render(
        request,
        "training/rules.html",
        {
            "rule_sets": visible.order_by("region__path", "-effective_from"),
            "in_force": in_force,
            "form": form,
            "region": own,
        },
    )
