"""Pages of the talent ladder: the plans' dashboards with each target's path against its
line, the breakdown by county and school down to the teachers counted, and programmes with
their nominations."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import permissions
from portal import rules as kernel_rules
from portal.imports import services as import_services
from portal.imports import workbooks
from portal.models import Region, Teacher
from portal.scope import scope_queryset
from portal.security import client_ip
from portal.selectors import home_region
from portal.services import IDLookupRefused, audit_record, teachers_find_by_id_numbers
from training import shapes

from . import rules, selectors, services
from .imports import TARGETED_POST_TESTS
from .models import (
    NEXT_STEPS,
    YEARLY_KINDS,
    Attainment,
    Enrolment,
    EnrolmentStatus,
    Target,
    read_reserved_shares,
)


def _staff(user) -> bool:
    return permissions.is_bureau_staff(user)


def _chart(path, figure) -> dict:
    """An SVG line chart of achieved against the straight line, scaled to the figure."""
    width, height, pad = 560, 160, 24
    if not path:
        return {}
    target = path[0].target
    first, last = target.plan_start, target.deadline
    if target.kind in YEARLY_KINDS:
        # Measured afresh each year: this year's snapshots against this year's line.
        line = rules.yearly_line(rules.Line(first, last), path[-1].as_of)
        first, last = line.start, line.deadline
        path = [s for s in path if s.as_of >= first] or path[-1:]
    span = max((last - first).days, 1)
    is_share = path[0].denominator is not None
    top = (
        max(
            [
                float(figure),
                *(
                    float(s.achieved / s.denominator if is_share and s.denominator else s.achieved)
                    for s in path
                ),
            ]
        )
        or 1.0
    )

    def point(day, value):
        x = pad + (width - 2 * pad) * max(0, min((day - first).days / span, 1))
        y = height - pad - (height - 2 * pad) * (value / top)
        return f"{x:.1f},{y:.1f}"

    values = [
        float(s.achieved / s.denominator) if is_share and s.denominator else float(s.achieved)
        for s in path
    ]
    return {
        "width": width,
        "height": height,
        "line": f"{point(first, 0)} {point(last, float(figure))}",
        "achieved": " ".join(point(s.as_of, v) for s, v in zip(path, values, strict=True)),
        "last": point(path[-1].as_of, values[-1]).split(","),
        "goal": point(last, float(figure)).split(","),
    }


@login_required
def plans(request):
    user = request.user
    region = home_region(user) if _staff(user) else None
    if region is None:
        raise Http404
    return redirect("talent_region", region.pk)


@login_required
def region_plans(request, pk):
    region = get_object_or_404(scope_queryset(request.user, Region.objects.all()), pk=pk)
    rows = []
    for latest, path in selectors.latest_snapshots(request.user, region):
        rows.append(
            {
                "snapshot": latest,
                "target": latest.target,
                "chart": _chart(path, latest.target.figure),
            }
        )
    return render(
        request,
        "talent/region_plans.html",
        {
            "region": region,
            "rows": rows,
            "parts": selectors.parts_table(request.user, region),
            "below": selectors.plans_below(request.user, region),
        },
    )


def _target_in_region(request, pk, region_pk):
    """A target as measured in a region, for its page and its export alike: the region in
    the user's scope, the target one that is measured there (set for that region or one
    above it). Anything else does not exist (404), whatever the ids. Returns the target, the
    region and the region's snapshots of it, oldest first."""
    region = get_object_or_404(scope_queryset(request.user, Region.objects.all()), pk=region_pk)
    target = get_object_or_404(
        Target.objects.select_related("region").prefetch_related("tiers"), pk=pk
    )
    if not region.path.startswith(target.region.subtree_prefix):
        raise Http404
    snapshots = list(
        scope_queryset(
            request.user, Attainment.objects.filter(target=target, region=region)
        ).order_by("as_of")
    )
    return target, region, snapshots


@login_required
def target_detail(request, pk, region_pk):
    target, region, snapshots = _target_in_region(request, pk, region_pk)
    on = snapshots[-1].as_of if snapshots else timezone.localdate()
    behind = selectors.counted(target, region, on)
    page = Paginator(scope_queryset(request.user, behind.rows), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "talent/target.html",
        {
            "target": target,
            "region": region,
            "snapshot": snapshots[-1] if snapshots else None,
            "chart": _chart(snapshots, target.figure),
            "parts": selectors.breakdown(target, region, on),
            "page": page,
            "what": behind.what,
            "on": on,
        },
    )


EXPORT_TITLES = {
    "titles": "计入目标的教师",
    "studios": "计入目标的工作室",
    "rotations": "计入目标的轮岗",
}
EXPORT_COLUMNS = {
    "titles": (
        ["学校标识码", "学校", "姓名", "身份证号", "称号", "授予日期", "证书编号"],
        lambda t: [
            t.teacher.school.code,
            t.teacher.school.name,
            t.teacher.name,
            t.teacher.id_number_masked,
            t.tier.name,
            t.awarded_on,
            t.certificate_number,
        ],
    ),
    "studios": (
        ["工作室", "级别", "所属地区", "学校", "主持人", "成立日期"],
        lambda s: [
            s.name,
            s.get_level_display(),
            s.region.name,
            s.school.name if s.school else "",
            s.host.name if s.host else "",
            s.founded_on,
        ],
    ),
    "rotations": (
        ["姓名", "身份证号", "原学校", "交流学校", "开始日期", "结束日期"],
        lambda r: [
            r.teacher.name,
            r.teacher.id_number_masked,
            r.from_school.name,
            r.to_school.name,
            r.start,
            r.end or "",
        ],
    ),
}


@login_required
def target_export(request, pk, region_pk):
    target, region, snapshots = _target_in_region(request, pk, region_pk)
    on = snapshots[-1].as_of if snapshots else timezone.localdate()  # the date the page shows
    behind = selectors.counted(target, region, on)
    headers, row_of = EXPORT_COLUMNS[behind.what]
    body = workbooks.table_xlsx(
        headers,
        (row_of(item) for item in scope_queryset(request.user, behind.rows).iterator(2000)),
        title=EXPORT_TITLES[behind.what],
    )
    audit_record(
        actor=request.user, action="talent.export", region=region, detail={"target": target.pk}
    )
    response = HttpResponse(body, content_type=workbooks.XLSX_CONTENT_TYPE)
    name = f"{target.name}-{region.name}-{on:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# --- Programmes ------------------------------------------------------------------------------


@login_required
def programme_list(request):
    if not _staff(request.user):
        raise Http404
    items = (
        selectors.visible_programmes(request.user)
        .select_related("tier", "region")
        .order_by("-window_start")
    )
    return render(request, "talent/programmes.html", {"programmes": items})


@login_required
def programme_detail(request, pk):
    user = request.user
    if not _staff(user):
        raise Http404
    programme = get_object_or_404(
        selectors.visible_programmes(user).select_related("tier", "region"), pk=pk
    )
    closed = services.programme_closed(programme)
    if request.method == "POST" and request.POST.get("county"):
        return _nominate_county(request, programme)
    if request.method == "POST" and "file" in request.FILES:
        return _nominate_file(request, programme)
    if request.method == "POST" and closed:
        # Every door refuses a nomination once the window is over (POLICY §8).
        messages.error(request, closed)
        return redirect("talent_programme", programme.pk)
    if request.method == "POST":
        added, refused, numbers = 0, [], []
        for raw in request.POST.get("id_numbers", "").split():
            try:
                numbers.append(kernel_rules.parse_id_number(raw, today=timezone.localdate()).value)
            except kernel_rules.IDNumberError as exc:
                refused.append(f"{kernel_rules.mask_any(raw)}：{kernel_rules.id_problem(exc.code)}")
        try:
            found = teachers_find_by_id_numbers(
                user=user, id_numbers=numbers, ip_address=client_ip(request), via="nomination"
            )
        except IDLookupRefused as exc:
            messages.error(request, exc.message)
            return redirect("talent_programme", programme.pk)
        for id_number in dict.fromkeys(numbers):
            teacher = found.get(id_number)
            if teacher is None:
                refused.append(
                    f"{kernel_rules.mask_any(id_number)}："
                    + _("no teacher in your scope has this ID number.")
                )
                continue
            try:
                services.enrolment_nominate(programme=programme, teacher=teacher, actor=user)
                added += 1
            except ValidationError as exc:
                refused.append(f"{teacher.name}：" + "；".join(exc.messages))
        if added:
            messages.success(request, _("%(count)d teachers nominated.") % {"count": added})
        for line in refused:
            messages.error(request, line)
        return redirect("talent_programme", programme.pk)
    enrolments = (
        scope_queryset(user, Enrolment.objects.filter(programme=programme))
        .select_related("teacher", "teacher__school", "teacher__school__county")
        .order_by("status", "teacher__name")
    )
    counts = dict.fromkeys(EnrolmentStatus.values, 0)
    for enrolment in enrolments:
        counts[enrolment.status] += 1
    reserved = _reserved_shares(programme, enrolments)
    return render(
        request,
        "talent/programme.html",
        {
            "programme": programme,
            "enrolments": enrolments,
            "counts": counts,
            "next_steps": {k: sorted(v) for k, v in NEXT_STEPS.items()},
            "labels": dict(EnrolmentStatus.choices),
            "may_decide": permissions.is_staff_of(user, programme.region),
            "closed": closed,
            "reserved": reserved,
            "counties": scope_queryset(user, Region.objects.filter(level="county"))
            .filter(path__startswith=programme.region.subtree_prefix)
            .order_by("code"),
        },
    )


def _reserved_shares(programme, enrolments) -> list[dict]:
    """For each reserved share of the programme: how many nominations and selections fall on
    such posts, against the places reserved (of the quota, or of the selections so far)."""
    active = [e for e in enrolments if e.status != "withdrawn"]
    selected = [e for e in active if e.status != "nominated"]
    rows = []
    shares = shapes.stored(
        read_reserved_shares,
        programme.reserved_shares,
        default={},
        what=f"reserved shares of programme {programme.pk}",
    )
    for post, share in shares.items():
        test = TARGETED_POST_TESTS.get(post)
        if test is None:
            continue
        base = programme.selection_quota or len(selected)

        def on_post(enrolment, post=post, test=test):
            return enrolment.targeted_post == post or test(enrolment.teacher)

        rows.append(
            {
                "post": post,
                "share": share,
                "nominated": sum(1 for e in active if on_post(e)),
                "selected": sum(1 for e in selected if on_post(e)),
                "reserved_places": round(float(share) * base) if base else 0,
            }
        )
    return rows


def _nominate_file(request, programme):
    """A nomination list as a file: through the import machinery (preview, every refusal
    explained, error workbook, all or nothing)."""
    upload = request.FILES["file"]
    if (
        getattr(request, "upload_too_large", False)
        or upload.size > import_services.max_upload_bytes()
    ):
        messages.error(request, import_services.too_large_message(upload.size))
        return redirect("talent_programme", programme.pk)
    try:
        job = import_services.import_job_create(
            user=request.user,
            kind="nomination",
            file_name=upload.name,
            data=upload.read(),
            ip_address=client_ip(request),
            options={"programme": programme.pk},
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("talent_programme", programme.pk)
    return redirect("import_detail", job.pk)


COUNTY_ID = forms.IntegerField(min_value=1, max_value=2**63 - 1)


def _nominate_county(request, programme):
    """Nominate every eligible teacher of a county in the user's scope (a filtered list)."""
    user = request.user
    try:  # a county id, else the request is malformed (a 400, never a 500)
        county_id = COUNTY_ID.clean(request.POST.get("county"))
    except ValidationError:
        raise BadRequest from None
    county = (
        scope_queryset(user, Region.objects.filter(level="county")).filter(pk=county_id).first()
    )
    if county is None:
        raise Http404
    teachers = scope_queryset(user, Teacher.objects.filter(school__county=county, status="serving"))
    stage = request.POST.get("stage")
    if stage:
        teachers = teachers.filter(stage=stage)
    try:
        nominated, refused = services.enrolments_nominate_eligible(
            programme=programme, teachers=teachers, actor=user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("talent_programme", programme.pk)
    messages.success(
        request,
        _(
            "%(nominated)d eligible teachers of %(county)s nominated; "
            "%(refused)d others are not eligible."
        )
        % {"nominated": nominated, "county": county.name, "refused": refused},
    )
    return redirect("talent_programme", programme.pk)


@login_required
@require_POST
def enrolment_move(request, pk):
    user = request.user
    enrolment = get_object_or_404(
        scope_queryset(user, Enrolment.objects.select_related("programme")), pk=pk
    )
    if not permissions.is_staff_of(user, enrolment.programme.region):
        raise Http404  # only the region that runs the programme decides
    try:
        services.enrolment_move(enrolment=enrolment, to=request.POST.get("to", ""), actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ValueError:
        messages.error(request, _("Unknown step."))
    return redirect("talent_programme", enrolment.programme_id)
