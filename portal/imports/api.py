"""REST access to imports: POST a file, poll the job, read its rows, confirm, fetch the error
workbook. The same services as the pages; the same scope."""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from .. import permissions
from ..api.errors import as_drf
from ..api.parsers import JSONParser as GuardedJSONParser
from ..api.views import Scoped
from ..models import ImportJob, ImportRow
from ..security import client_ip
from ..services import audit_record
from ..validators import MAX_DEPTH, too_deep
from . import services, workbooks


class ImportJobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    progress_note = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "progress_note",
            "file_name",
            "file_sha256",
            "file_size",
            "uploaded_by",
            "valid_rows_only",
            "commit_when_valid",
            "total_rows",
            "new_rows",
            "changed_rows",
            "unchanged_rows",
            "refused_rows",
            "file_errors",
            "warnings",
            "created_at",
            "validated_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job) -> int:
        return services.progress_of(job)["progress"]

    def get_progress_note(self, job) -> str:
        return services.progress_of(job)["note"]


class OptionsField(serializers.JSONField):
    """A JSON object. In a multipart upload it arrives as text and is parsed here, with the
    same depth guard as the API's JSON parser (``portal.api.parsers``): without it, 100,000
    nested ``[`` made the decoder recurse until Python gave up (a 500)."""

    def to_internal_value(self, data):
        if isinstance(data, bytes | str):  # multipart: the JSON as text
            try:
                data = json.loads(data)
            except RecursionError:
                raise serializers.ValidationError(self._too_deep()) from None
            except ValueError:
                raise serializers.ValidationError(self._not_an_object()) from None
        if not isinstance(data, dict):
            raise serializers.ValidationError(self._not_an_object())
        if too_deep(data):
            raise serializers.ValidationError(self._too_deep())
        return data

    @staticmethod
    def _not_an_object() -> str:
        return _('The options must be a JSON object, such as {"programme": 12}.')

    @staticmethod
    def _too_deep() -> str:
        return _("The options are nested more than %(limit)d levels deep.") % {"limit": MAX_DEPTH}


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices, default=ImportJob.Kind.ROSTER)
    options = OptionsField(
        required=False,
        help_text='What the kind needs besides the file: {"programme": 12} for a nomination list.',
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Stop at the preview; confirm later with POST …/confirm/."
    )
    valid_rows_only = serializers.BooleanField(
        default=False, help_text="Bureau staff only: write the valid rows, skip refused ones."
    )


class ImportRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRow
        fields = ["line", "action", "name", "id_number_masked", "school_code", "changes", "errors"]


class ConfirmSerializer(serializers.Serializer):
    valid_rows_only = serializers.BooleanField(default=False)


class ImportJobViewSet(Scoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ImportJob.objects.select_related("uploaded_by")
    serializer_class = ImportJobSerializer
    parser_classes = [parsers.MultiPartParser, GuardedJSONParser]
    filterset_fields = ["kind", "status"]

    def _job_to_decide(self) -> ImportJob:
        """A job the user may act on: in scope and theirs (``permissions.may_decide_upload``), else
        404 as for a job out of scope."""
        job = self.get_object()
        if not permissions.may_decide_upload(job, self.request.user):
            raise NotFound
        return job

    @extend_schema(request=ImportUploadSerializer, responses={202: ImportJobSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.may_import(request.user):
            raise PermissionDenied
        too_large = getattr(request._request, "upload_too_large", False)
        if too_large:
            raise serializers.ValidationError({"file": services.too_large_message(too_large)})
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        if data["file"].size > services.max_upload_bytes():
            raise serializers.ValidationError(
                {"file": services.too_large_message(data["file"].size)}
            )
        try:
            job = services.import_job_create(
                user=request.user,
                kind=data["kind"],
                options=data.get("options") or {},
                file_name=data["file"].name,
                data=data["file"].read(),
                commit_when_valid=not data["dry_run"],
                valid_rows_only=data["valid_rows_only"],
                ip_address=client_ip(request),
            )
        except DjangoValidationError as exc:
            raise as_drf(exc) from None
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses=ImportRowSerializer(many=True),
        parameters=[OpenApiParameter("action", str, enum=ImportRow.Action.values)],
    )
    @action(detail=True)
    def rows(self, request, pk=None):
        job = self.get_object()
        rows = ImportRow.objects.filter(job=job).order_by("line")
        wanted = request.query_params.get("action")
        if wanted:
            rows = rows.filter(action=wanted)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ImportRowSerializer(page, many=True).data)

    @extend_schema(request=ConfirmSerializer, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = self._job_to_decide()
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        valid_only = body.validated_data["valid_rows_only"]
        if job.status != ImportJob.Status.PREVIEW:
            raise serializers.ValidationError({"status": f"the job is {job.status}"})
        if job.refused_rows and not (
            valid_only and permissions.may_choose_valid_rows_only(request.user)
        ):
            raise serializers.ValidationError(
                {"refused_rows": "some rows are refused; correct the file and upload it again"}
            )
        services.import_job_confirm(job=job, user=request.user, valid_rows_only=valid_only)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, workbooks.XLSX_CONTENT_TYPE): bytes})
    @action(detail=True, url_path="error-workbook")
    def error_workbook(self, request, pk=None):
        job = self._job_to_decide()
        data = services.import_error_workbook(job)
        if data is None:
            raise NotFound
        audit_record(
            actor=request.user,
            action="import.error_workbook",
            obj=job,
            region=job.region,
            ip_address=client_ip(request),
        )
        response = HttpResponse(data, content_type=workbooks.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="errors-{job.pk}.xlsx"'
        return response
