"""Pages of the shared kernel. Views parse input, call selectors and services, and
render; every object comes through the scope function (outside it: 404)."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import exports, panels, permissions, selectors, services
from .choices import (
    SCHOOL_TYPE_STAGES,
    EmploymentStatus,
    RegionLevel,
    Role,
    Stage,
)
from .forms import AUDIT_KINDS, AuditFilterForm, TeacherSearchForm
from .imports import workbooks
from .models import AuditEvent, Teacher, TransferRequest
from .scope import scope_queryset
from .security import client_ip

TEACHERS_PER_PAGE = 50


@login_required
def dashboard(request):
    user = request.user
    if user.role == Role.TEACHER:
        return redirect("my_record")
    if user.role == Role.SCHOOL_ADMIN:
        return redirect("school_detail", user.school_id)
    region = selectors.home_region(user)
    if region is None:
        return render(request, "portal/no_scope.html", status=403)
    return _render_region(request, region, dashboard=True)


@login_required
def region_detail(request, pk):
    region = get_object_or_404(selectors.visible_regions(request.user), pk=pk)
    return _render_region(request, region, dashboard=False)


def _render_region(request, region, *, dashboard):
    overview = selectors.region_overview(request.user, region)
    ancestors = _ancestors_in_scope(request.user, region)
    return render(
        request,
        "portal/region.html",
        {"overview": overview, "region": region, "ancestors": ancestors, "dashboard": dashboard},
    )


def _ancestors_in_scope(user, region, *, include_self=False):
    """The breadcrumb: the regions from the top of the user's scope down to ``region``."""
    ids = region.path_ids
    if not include_self:
        ids = ids[:-1]
    found = {r.pk: r for r in selectors.visible_regions(user).filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


@login_required
def school_detail(request, pk):
    school = get_object_or_404(selectors.visible_schools(request.user), pk=pk)
    teachers = (
        scope_queryset(request.user, school.teachers.all())
        .filter(status=EmploymentStatus.SERVING)
        .order_by("name", "id")
    )
    page = Paginator(teachers, TEACHERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/school.html",
        {
            "school": school,
            "counts": selectors.school_counts(school),
            "page": page,
            "ancestors": _ancestors_in_scope(request.user, school.county, include_self=True),
            "stages": [Stage(s).label for s in SCHOOL_TYPE_STAGES.get(school.school_type, ())],
        },
    )


@login_required
def teacher_list(request):
    """Search and filters by GET; a search by ID number comes by POST so that the number
    never lands in a URL (and so in no access log or browser history)."""
    user = request.user
    counties = list(
        selectors.visible_regions(user).filter(level=RegionLevel.COUNTY).values_list("id", "name")
    )
    data = request.GET.copy()
    if request.method == "POST":
        data["id_number"] = request.POST.get("id_number", "")
    else:
        data.pop("id_number", None)
    data.setdefault("status", EmploymentStatus.SERVING)
    form = TeacherSearchForm(data, counties=counties)
    teachers = selectors.visible_teachers(user)
    teachers = _filter_teachers(teachers, form.cleaned_data) if form.is_valid() else teachers.none()
    if form.is_valid() and form.cleaned_data.get("id_number"):
        try:
            found = services.teacher_find_by_id_number(
                user=user,
                id_number=form.cleaned_data["id_number"],
                ip_address=client_ip(request),
                via="page",
            )
        except services.IDLookupRefused as exc:
            form.add_error("id_number", exc.message)
            found = None
        teachers = teachers.filter(pk=found.pk) if found else teachers.none()
    page = Paginator(teachers.order_by("school__code", "name", "id"), TEACHERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = data.copy()
    query.pop("page", None)
    query.pop("id_number", None)
    return render(
        request,
        "portal/teacher_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_export": user.role != Role.TEACHER,
            "may_export_full_ids": permissions.may_export_full_ids(user),
            "may_search_id_numbers": permissions.may_reveal_id_numbers(user),
        },
    )


def _filter_teachers(teachers, cleaned):
    if cleaned.get("q"):
        teachers = teachers.filter(name__icontains=cleaned["q"].strip())
    for field in ("stage", "staffing", "professional_title", "status"):
        if cleaned.get(field):
            teachers = teachers.filter(**{field: cleaned[field]})
    if cleaned.get("county"):
        teachers = teachers.filter(school__county_id=cleaned["county"])
    if cleaned.get("school"):
        teachers = teachers.filter(school_id=cleaned["school"])
    if cleaned.get("full_time") in ("0", "1"):
        teachers = teachers.filter(is_full_time=cleaned["full_time"] == "1")
    return teachers


@login_required
def teacher_export(request):
    """The teacher list as filtered, to xlsx or csv. Teachers cannot export; the ID numbers
    are masked unless bureau staff ask for them in full (audited)."""
    user = request.user
    if user.role == Role.TEACHER:
        raise Http404
    counties = list(
        selectors.visible_regions(user).filter(level=RegionLevel.COUNTY).values_list("id", "name")
    )
    data = request.GET.copy()
    data.pop("id_number", None)  # never part of an export's URL
    data.setdefault("status", EmploymentStatus.SERVING)
    form = TeacherSearchForm(data, counties=counties)
    if not form.is_valid():
        return redirect(f"{reverse('teacher_list')}?{data.urlencode()}")
    teachers = _filter_teachers(scope_queryset(user, Teacher.objects.all()), form.cleaned_data)
    teachers = teachers.order_by("school__code", "name", "id")
    # Full ID numbers only by POST (the CSRF check): a link on another site must not make a
    # signed-in bureau user download them.
    full = (
        request.method == "POST"
        and request.POST.get("full_id_numbers") == "1"
        and permissions.may_export_full_ids(user)
    )
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    if fmt == "csv":
        body, content_type = exports.teachers_csv(teachers, full_id_numbers=full), "text/csv"
    else:
        body = exports.teachers_xlsx(teachers, full_id_numbers=full)
        content_type = workbooks.XLSX_CONTENT_TYPE
    services.audit_record(
        actor=user,
        action="teacher.export",
        region=user.region,
        ip_address=client_ip(request),
        detail={
            "format": fmt,
            "full_id_numbers": full,
            "rows": teachers.count(),
            "filters": {k: v for k, v in request.GET.items() if k != "id_number"},
        },
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'教师名单-{stamp}.{fmt}')}"
    )
    return response


@login_required
def teacher_detail(request, pk):
    teacher = get_object_or_404(selectors.visible_teachers(request.user), pk=pk)
    return _render_teacher(request, teacher)


@login_required
def my_record(request):
    if request.user.role != Role.TEACHER or request.user.teacher_id is None:
        raise Http404
    teacher = get_object_or_404(
        selectors.visible_teachers(request.user), pk=request.user.teacher_id
    )
    return _render_teacher(request, teacher)


def _render_teacher(request, teacher):
    record = selectors.teacher_record(teacher, as_of=timezone.localdate())
    is_self = request.user.teacher_id == teacher.pk
    return render(
        request,
        "portal/teacher_detail.html",
        {
            "record": record,
            "teacher": teacher,
            "is_self": is_self,
            # A teacher sees their own number; everyone else sees it masked unless revealed,
            # and not the birth date, which with the masked number would give it away.
            "id_number": teacher.reveal_id_number() if is_self else teacher.id_number_masked,
            "show_birth_date": is_self,
            "can_reveal": not is_self and permissions.may_reveal_id_numbers(request.user),
            "panels": panels.teacher_panels(request, teacher),
        },
    )


@login_required
@require_POST
def teacher_reveal(request, pk):
    teacher = get_object_or_404(selectors.visible_teachers(request.user), pk=pk)
    if not permissions.may_reveal_id_numbers(request.user):
        raise Http404
    id_number = services.teacher_reveal_id_number(
        teacher=teacher, user=request.user, ip_address=client_ip(request)
    )
    messages.info(request, _("This view of the ID number has been recorded in the audit log."))
    record = selectors.teacher_record(teacher, as_of=timezone.localdate())
    return render(
        request,
        "portal/teacher_detail.html",
        {
            "record": record,
            "teacher": teacher,
            "is_self": False,
            "id_number": id_number,
            "revealed": True,
            "can_reveal": False,
            "show_birth_date": True,
        },
    )


AUDIT_PER_PAGE = 50


@login_required
def audit_log(request):
    """Who did what, when and from where, in the user's region: searchable by text, action,
    user and dates. Bureau staff only; read-only."""
    user = request.user
    if not permissions.is_bureau_staff(user):
        raise Http404
    events = scope_queryset(user, AuditEvent.objects.select_related("region"))
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            events = events.filter(
                Q(username__icontains=data["q"])
                | Q(object_repr__icontains=data["q"])
                | Q(action__icontains=data["q"])
            )
        if data["action"]:
            events = events.filter(action__regex=AUDIT_KINDS[data["action"]][1])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
    page = Paginator(events.order_by("-at", "-id"), AUDIT_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/audit.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


def _api_error(request, status: int, message: str):
    """The JSON answer an API client gets for an error Django handles outside DRF, or None
    for a page request."""
    from django.http import JsonResponse

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return None


def server_error(request):
    """A clear 500: in JSON for API clients, a page for people. Rendered without the
    request's context, which may be what failed (a lost database connection)."""
    from django.template import loader

    message = _("The server could not finish this request; nothing was saved. Try again.")
    return _api_error(request, 500, message) or HttpResponse(
        loader.get_template("500.html").render(), status=500
    )


def bad_request(request, exception=None):
    """400 (a malformed or oversized request, e.g. more fields than
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS``): JSON for API clients, a page for people."""
    from django.template import loader

    message = _("The request could not be read (malformed or too large).")
    return _api_error(request, 400, message) or HttpResponse(
        loader.get_template("400.html").render(), status=400
    )


def permission_denied(request, exception=None):
    """403 outside DRF (the CSRF check, a view that refuses): JSON for API clients."""
    from django.views.defaults import permission_denied as default

    message = _("You do not have permission to perform this action.")
    return _api_error(request, 403, message) or default(request, exception)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (most often a page left open past the session):
    the plain 403 page in Chinese, not Django's technical one."""
    return permission_denied(request)


def not_found(request, exception=None):
    """404: JSON for API clients (a path that names no object), the page for people."""
    from django.views.defaults import page_not_found

    return _api_error(request, 404, _("Not found.")) or page_not_found(request, exception)


TRANSFERS_PER_PAGE = 50


@login_required
def transfer_list(request):
    """调入申请: the transfer requests into the user's region or school. Bureau staff see
    them (the pending ones unless they ask for others) and decide those whose two schools
    their scope covers; for the others they wait for the level above. The requesting school
    sees its requests and their status, and of the teacher only what it uploaded: never the
    school the teacher is at. The template gets plain rows holding only what the user may
    read (``_transfer_row``), never the request or its teacher."""
    user = request.user
    staff = permissions.is_bureau_staff(user)
    if not (staff or user.role == Role.SCHOOL_ADMIN):
        raise Http404
    statuses = TransferRequest.Status
    status = request.GET.get("status", statuses.PENDING if staff else "")
    transfers = scope_queryset(
        user, TransferRequest.objects.select_related("to_school", "teacher__school", "decided_by")
    )
    if status in statuses.values:
        transfers = transfers.filter(status=status)
    else:
        status = ""
    page = Paginator(transfers.order_by("-created_at", "-id"), TRANSFERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    requests = list(page.object_list)
    decidable = services.transfer_requests_decidable(user, requests)
    # Teachers the user sees anyway: a decider's, or the requester's once the move is made.
    known = set(
        scope_queryset(
            user, Teacher.objects.filter(pk__in={t.teacher_id for t in requests})
        ).values_list("pk", flat=True)
    )
    return render(
        request,
        "portal/transfers.html",
        {
            "page": page,
            "rows": [
                _transfer_row(t, known=t.teacher_id in known, decidable=t.pk in decidable)
                for t in requests
            ],
            "status": status,
            "statuses": statuses.choices,
            "query": f"status={status or 'all'}",
            "staff": staff,
        },
    )


def _transfer_row(transfer: TransferRequest, *, known: bool, decidable: bool) -> dict:
    """What the list shows of a request. Everyone who sees it reads what the requesting
    school uploaded (name, masked ID number, values), the destination and the decision;
    the teacher's record (their page, registered name, current school, who decided) only
    those who may see the teacher."""
    teacher = transfer.teacher
    row = {
        "pk": transfer.pk,
        "name": transfer.name,
        "id_number_masked": teacher.id_number_masked,  # the masked form of the uploaded number
        "to_school": transfer.to_school.name,
        "values": _transfer_values_display(transfer.values),
        "status": transfer.status,
        "status_label": transfer.get_status_display(),
        "created_at": transfer.created_at,
        "decided_at": transfer.decided_at,
        "reason": transfer.reason,
        "decidable": decidable,
        "pending": transfer.status == TransferRequest.Status.PENDING,
    }
    if known:
        row["teacher_url"] = teacher.get_absolute_url()
        row["registered_name"] = teacher.name if teacher.name != transfer.name else ""
        row["decided_by"] = transfer.decided_by_id and transfer.decided_by
    if decidable:
        row["current_school"] = teacher.school.name
    return row


def _transfer_values_display(values: dict) -> list[tuple[str, str]]:
    shown = []
    for name in services.TRANSFER_FIELDS:
        if name not in values:
            continue
        field, value = Teacher._meta.get_field(name), values[name]
        if field.choices:
            value = dict(field.flatchoices).get(value, value)
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        shown.append((str(field.verbose_name), str(value)))
    return shown


def _transfer_to_decide(request, pk) -> TransferRequest | None:
    """A pending request the user may decide; a request already decided answers with a
    note (a second click), one the user may not decide does not exist (404)."""
    transfer = get_object_or_404(scope_queryset(request.user, TransferRequest.objects), pk=pk)
    if transfer.status != TransferRequest.Status.PENDING:
        messages.info(request, _("This transfer request has already been decided."))
        return None
    if transfer.pk not in services.transfer_requests_decidable(request.user, [transfer]):
        raise Http404
    return transfer


@login_required
@require_POST
def transfer_approve(request, pk):
    transfer = _transfer_to_decide(request, pk)
    if transfer is not None:
        try:
            services.transfer_request_approve(transfer=transfer, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s is transferred to %(school)s.")
                % {"name": transfer.name, "school": transfer.to_school.name},
            )
    return redirect("transfer_list")


@login_required
@require_POST
def transfer_reject(request, pk):
    transfer = _transfer_to_decide(request, pk)
    if transfer is not None:
        try:
            services.transfer_request_reject(
                transfer=transfer, actor=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request,
                _("The transfer of %(name)s to %(school)s is rejected.")
                % {"name": transfer.name, "school": transfer.to_school.name},
            )
    return redirect("transfer_list")
