"""Pages of the import flow: upload → preview (paged, changed fields highlighted) →
confirm → result, with the template and the error workbook to download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..models import ImportJob, ImportRow
from ..scope import scope_queryset
from ..security import client_ip
from ..services import audit_record
from . import kinds, services, workbooks
from .forms import UploadForm

ROWS_PER_PAGE = 50


def _jobs(user):
    return scope_queryset(user, ImportJob.objects.select_related("uploaded_by"))


def _job_to_decide(request, pk) -> ImportJob:
    """A job the user may act on (confirm, discard, its error workbook): in scope and theirs
    (``permissions.may_decide_upload``); staff who only see it get 404 like everyone else."""
    job = get_object_or_404(_jobs(request.user), pk=pk)
    if not permissions.may_decide_upload(job, request.user):
        raise Http404
    return job


@login_required
def import_list(request):
    if not permissions.may_import(request.user):
        raise Http404
    allow = permissions.may_choose_valid_rows_only(request.user)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, allow_valid_rows_only=allow)
        if getattr(request, "upload_too_large", False):
            form.add_error(None, services.too_large_message(request.upload_too_large))
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > services.max_upload_bytes():
                form.add_error("file", services.too_large_message(upload.size))
            else:
                job = services.import_job_create(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    file_name=upload.name,
                    data=upload.read(),
                    valid_rows_only=form.cleaned_data.get("valid_rows_only", False),
                    ip_address=client_ip(request),
                )
                return redirect("import_detail", job.pk)
    else:
        form = UploadForm(allow_valid_rows_only=allow)
    page = Paginator(_jobs(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "portal/imports/list.html", {"form": form, "page": page})


@login_required
def import_detail(request, pk):
    job = get_object_or_404(_jobs(request.user), pk=pk)
    action = request.GET.get("action", "")
    rows = ImportRow.objects.filter(job=job)
    if action in ImportRow.Action.values:
        rows = rows.filter(action=action)
    elif job.refused_rows:
        action, rows = "refused", rows.filter(action="refused")
    page = Paginator(rows.order_by("line"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    labels = {c.key: c.label for c in kinds.get(job.kind).columns} | {"school": "学校"}
    return render(
        request,
        "portal/imports/detail.html",
        {
            "job": job,
            "page": page,
            "action": action,
            "query": f"action={action}" if action else "",
            "labels": labels,
            "progress": services.progress_of(job),
            "may_choose_valid_rows_only": permissions.may_choose_valid_rows_only(request.user),
            "may_decide": permissions.may_decide_upload(job, request.user),
            "may_download_errors": services.may_download_errors(job, request.user),
            "actions": ImportRow.Action.choices,
        },
    )


@login_required
def import_status(request, pk):
    job = get_object_or_404(_jobs(request.user), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "running": job.is_running,
            **services.progress_of(job),
        }
    )


@login_required
@require_POST
def import_confirm(request, pk):
    job = _job_to_decide(request, pk)
    valid_only = request.POST.get("valid_rows_only") == "1"
    if job.refused_rows and not (
        valid_only and permissions.may_choose_valid_rows_only(request.user)
    ):
        messages.error(request, _("Some rows are refused: correct the file and upload it again."))
        return redirect("import_detail", job.pk)
    services.import_job_confirm(job=job, user=request.user, valid_rows_only=valid_only)
    return redirect("import_detail", job.pk)


@login_required
@require_POST
def import_cancel(request, pk):
    job = _job_to_decide(request, pk)
    services.import_job_cancel(job=job, user=request.user)
    messages.info(request, _("The upload was discarded."))
    return redirect("import_list")


@login_required
def import_error_workbook(request, pk):
    job = _job_to_decide(request, pk)
    data = services.import_error_workbook(job)
    if data is None:
        raise Http404
    audit_record(
        actor=request.user,
        action="import.error_workbook",
        obj=job,
        region=job.region,
        ip_address=client_ip(request),
    )
    return _attachment(
        data, f"错误说明-{job.file_name.rsplit('.', 1)[0]}.xlsx", workbooks.XLSX_CONTENT_TYPE
    )


@login_required
def import_template(request, kind):
    if not permissions.may_import(request.user):
        raise Http404
    try:
        spec = kinds.get(kind)
    except KeyError:
        raise Http404 from None
    data = workbooks.template(
        spec.columns, title=spec.template_title, instructions=spec.instructions
    )
    return _attachment(data, f"{spec.template_title}导入模板.xlsx", workbooks.XLSX_CONTENT_TYPE)


def _attachment(data: bytes, file_name: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return response
