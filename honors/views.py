"""Honour pages: candidates to review in bulk (approve / reject with a reason), the yearly
scan on demand, nominations for selected honours, awards with their certificates (one PDF, or
a batch as one file), and the public verification page."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import permissions
from portal import rules as kernel_rules
from portal.security import client_ip
from portal.selectors import home_region
from portal.services import IDLookupRefused, audit_record, teacher_find_by_id_number

from . import certificate, rules, selectors, services
from .forms import DecisionForm, NominateForm
from .models import Award, AwardBatch, CandidateStatus

PAGE = 50


def _staff(user) -> bool:
    return permissions.is_bureau_staff(user)


def _year(request) -> int:
    raw = request.GET.get("year", "")
    year = kernel_rules.small_int(raw, digits=4)
    return year if year and 1990 < year < 2100 else timezone.localdate().year


def _action_year(request) -> int | None:
    """The year an action (scan, nominate) names: this year when none is given; None, with
    a message, for anything but a year from 2000 to this year (never silently another)."""
    raw = request.GET.get("year", "")
    this_year = timezone.localdate().year
    if raw == "":
        return this_year
    year = kernel_rules.small_int(raw, digits=4)
    problem = rules.action_year_problem(year, this_year)
    if problem:
        messages.error(request, problem)
        return None
    return year


@login_required
def candidate_list(request):
    user = request.user
    if not _staff(user):
        raise Http404
    year = _year(request)
    status = request.GET.get("status") or CandidateStatus.PROPOSED
    rows = selectors.candidates(user).filter(year=year)
    if status in CandidateStatus.values:
        rows = rows.filter(status=status)
    types = selectors.honour_types(user).select_related("region").order_by("name")
    honour = request.GET.get("honour", "")
    honour_id = kernel_rules.small_int(honour)
    if honour_id:
        rows = rows.filter(honour_type_id=honour_id)
    form = DecisionForm()
    if request.method == "POST":
        form = DecisionForm(request.POST)
        ids = [n for n in map(kernel_rules.small_int, request.POST.getlist("candidate")) if n]
        if not ids:
            messages.error(request, _("Tick the candidates first."))
        elif form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                count, refused, batch = services.candidates_review(
                    candidates=selectors.candidates(user).filter(pk__in=ids),
                    actor=user,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error("reason", exc.messages[0])
            else:
                text = (
                    _("%(count)d candidates approved; their certificates are ready.")
                    if approve
                    else _("%(count)d candidates rejected.")
                )
                messages.success(request, text % {"count": count})
                for line in refused:
                    messages.error(request, line)
                if approve and batch is not None and count:
                    return redirect("honours_awards")
                return redirect(request.get_full_path())
    counts = dict.fromkeys(CandidateStatus.values, 0) | dict(
        selectors.candidates(user)
        .filter(year=year)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    page = Paginator(rows.order_by("honour_type__name", "teacher__name"), PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "honors/candidates.html",
        {
            "page": page,
            "form": form,
            "year": year,
            "status": status,
            "honour": honour,
            "types": types,
            # Each with open_now and next_open (a five-yearly honour is closed in between).
            "nominated_types": selectors.nominated_honours(user, year),
            "statuses": CandidateStatus.choices,
            "counts": counts,
            "query": f"year={year}&status={status}&honour={honour}",
            "may_decide": {t.pk: services.may_decide(user, t) for t in types},
        },
    )


@login_required
@require_POST
def scan_now(request):
    """Queue the yearly scan for the user's region (it also runs by itself on 1 September)."""
    user = request.user
    region = home_region(user) if _staff(user) else None
    if region is None:
        raise Http404
    year = _action_year(request)
    if year is None:
        return redirect("honours_candidates")
    from .tasks import scan_honours

    scan_honours.delay(year, region.pk)
    audit_record(actor=user, action="honours.scan", region=region, detail={"year": year})
    messages.success(
        request,
        _("The %(year)d scan for %(region)s is running; refresh in a moment.")
        % {"year": year, "region": region.name},
    )
    return redirect(f"{reverse('honours_candidates')}?year={year}")


def _teacher_by_id_number(request, raw):
    """The teacher in scope with this ID number (an audited, limited look-up), or ``None``
    with the reason shown as a message."""
    try:
        number = kernel_rules.parse_id_number(raw, today=timezone.localdate()).value
    except kernel_rules.IDNumberError as exc:
        messages.error(request, kernel_rules.id_problem(exc.code))
        return None
    try:
        teacher = teacher_find_by_id_number(
            user=request.user, id_number=number, ip_address=client_ip(request), via="honours"
        )
    except IDLookupRefused as exc:
        messages.error(request, exc.message)
        return None
    if teacher is None:
        messages.error(request, _("No teacher in your scope has this ID number."))
    return teacher


@login_required
@require_POST
def nominate(request):
    user = request.user
    if not _staff(user):
        raise Http404
    form = NominateForm(request.POST)
    year = _action_year(request)
    if year is None:
        return redirect("honours_candidates")
    if form.is_valid():
        honour = get_object_or_404(selectors.honour_types(user), pk=form.cleaned_data["honour"])
        teacher = _teacher_by_id_number(request, form.cleaned_data["id_number"])
        if teacher is not None:
            try:
                services.candidate_nominate(
                    honour=honour,
                    teacher=teacher,
                    year=year,
                    actor=user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("%(name)s is now a candidate for %(honour)s.")
                    % {"name": teacher.name, "honour": honour.name},
                )
    else:
        messages.error(request, _("Choose the honour and give the ID number."))
    return redirect(f"{reverse('honours_candidates')}?year={year}&status=proposed")


@login_required
def award_list(request):
    user = request.user
    if not _staff(user):
        raise Http404
    year = _year(request)
    awards = selectors.awards(user).filter(year=year).order_by("honour_type__name", "sequence")
    batches = (
        AwardBatch.objects.filter(pk__in=awards.values("batch"))
        .select_related("honour_type", "created_by")
        .order_by("-created_at")
    )
    page = Paginator(awards, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "honors/awards.html",
        {
            "page": page,
            "batches": batches,
            "year": year,
            "query": f"year={year}",
            "may_decide": {
                t.pk: services.may_decide(user, t) for t in selectors.honour_types(user)
            },
        },
    )


@login_required
@require_POST
def award_revoke(request, pk):
    """Revoke an award (a sanction found later, an error): its certificate stops verifying."""
    user = request.user
    award = get_object_or_404(selectors.awards(user), pk=pk)
    if not services.may_decide(user, award.honour_type) or award.revoked_on:
        raise Http404
    try:
        services.award_revoke(award=award, actor=user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("Certificate %(number)s is revoked.") % {"number": award.certificate_number},
        )
    return redirect(f"{reverse('honours_awards')}?year={award.year}")


def _verify_url(request):
    return lambda code: request.build_absolute_uri(reverse("honours_verify", args=[code]))


def _pdf(request, awards, file_name: str, *, detail: dict) -> HttpResponse:
    try:
        body = certificate.render(awards, verify_url=_verify_url(request))
    except certificate.FontMissing as exc:
        return render(request, "honors/font_missing.html", {"message": str(exc)}, status=503)
    audit_record(
        actor=request.user,
        action="honours.certificates",
        ip_address=client_ip(request),
        detail=detail,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(file_name)}"
    return response


@login_required
def award_certificate(request, pk):
    """One certificate: staff in scope, the school, and the teacher themself."""
    award = get_object_or_404(selectors.awards(request.user), pk=pk)
    if award.revoked_on:
        raise Http404
    return _pdf(
        request,
        [award],
        f"荣誉证书-{award.certificate_number}.pdf",
        detail={"awards": [award.certificate_number]},
    )


@login_required
def batch_certificates(request, pk):
    """Every certificate of a batch the user may see, as one PDF to print."""
    if not _staff(request.user):
        raise Http404
    batch = get_object_or_404(AwardBatch, pk=pk)
    awards = list(
        selectors.awards(request.user)
        .filter(batch=batch, revoked_on__isnull=True)
        .order_by("sequence")
    )
    if not awards:
        raise Http404
    return _pdf(
        request,
        awards,
        f"荣誉证书-{batch.honour_type.name}-{batch.year}-{batch.pk}.pdf",
        detail={"batch": batch.pk, "count": len(awards)},
    )


@never_cache
def verify(request, code=""):
    """Public: anyone holding a certificate (an employer, a parent) checks it here. Shows
    the holder's name, school, honour and status; never the ID number."""
    code = services.normalise_code(code or request.GET.get("code", ""))
    if code and code != request.resolver_match.kwargs.get("code"):
        return redirect("honours_verify", code)
    award = None
    if code:
        award = (
            Award.objects.select_related("honour_type__region", "teacher__school")
            .filter(verification_code=code)
            .first()
        )
    return render(
        request,
        "honors/verify.html",
        {"code": code, "award": award, "searched": bool(code)},
        status=200 if award or not code else 404,
    )
