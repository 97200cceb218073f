"""Training API: rule sets, courses, records with their review, compliance per teacher and
summaries per region, all through the scope function."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import permissions
from portal.api.errors import as_drf
from portal.api.views import Scoped
from portal.choices import Role
from portal.models import Region, Teacher
from portal.scope import scope_queryset

from .. import selectors, services
from ..choices import Source
from ..models import Course, RuleSet, TrainingRecord
from .serializers import (
    AssessmentSerializer,
    CourseSerializer,
    ReviewSerializer,
    RuleSetSerializer,
    SummaryRowSerializer,
    TrainingRecordSerializer,
)


class RuleSetViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    queryset = RuleSet.objects.select_related("region")
    serializer_class = RuleSetSerializer
    filterset_fields = ["region", "unit"]


class CourseViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    queryset = Course.objects.all()
    serializer_class = CourseSerializer
    filterset_fields = ["code", "level", "category", "region"]


def _reviewer(user) -> bool:
    return permissions.is_school_or_bureau_staff(user)


class TrainingRecordViewSet(Scoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = TrainingRecord.objects.select_related("course")
    serializer_class = TrainingRecordSerializer
    filterset_fields = ["teacher", "status", "category", "level", "source"]

    def create(self, request, *args, **kwargs):
        # The serializer takes the teacher from the caller's scope and the course from those
        # the teacher may be credited with: anything else reads as an unknown id.
        body = TrainingRecordSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        teacher = data["teacher"]
        source = Source.SELF if request.user.role == Role.TEACHER else Source.API
        try:
            record = services.record_create(
                teacher=teacher,
                course=data.get("course"),
                description=data.get("description", ""),
                hours=data["hours"],
                completed_on=data["completed_on"],
                level=data["level"],
                category=data["category"],
                mode=data.get("mode", "face_to_face"),
                missed=data.get("missed") or 0,
                source=source,
                actor=request.user,
            )
        except DjangoValidationError as exc:
            raise as_drf(exc) from None
        return Response(TrainingRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    def _review(self, request, approve: bool):
        record = self.get_object()  # outside the scope: 404 before anything else
        if not _reviewer(request.user):
            raise PermissionDenied
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.records_review(
                records=self.get_queryset().filter(pk=record.pk),
                actor=request.user,
                approve=approve,
                reason=body.validated_data.get("reason", ""),
            )
        except DjangoValidationError as exc:
            raise as_drf(exc) from None
        record.refresh_from_db()
        return Response(TrainingRecordSerializer(record).data)

    @extend_schema(request=ReviewSerializer, responses=TrainingRecordSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, approve=True)

    @extend_schema(request=ReviewSerializer, responses=TrainingRecordSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._review(request, approve=False)

    @extend_schema(request=ReviewSerializer, responses={201: TrainingRecordSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        record = self.get_object()
        if not _reviewer(request.user):
            raise PermissionDenied
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            reversal = services.record_reverse(
                record=record, actor=request.user, reason=body.validated_data.get("reason", "")
            )
        except DjangoValidationError as exc:
            raise as_drf(exc) from None
        return Response(TrainingRecordSerializer(reversal).data, status=status.HTTP_201_CREATED)


def assessment_data(teacher: Teacher) -> dict:
    try:
        training = selectors.teacher_training(teacher, as_of=timezone.localdate())
    except selectors.BrokenRuleSet:
        raise NotFound("the rule set in force for this teacher's region cannot be read") from None
    except selectors.NoRuleSet:
        raise NotFound("no rule set applies to this teacher's region") from None
    result = training.assessment
    return {
        "teacher": teacher.pk,
        "rule_set": training.rule_set.pk,
        "unit": training.rule.unit,
        "cycle_start": result.cycle.start,
        "cycle_end": result.cycle.end,
        # A teacher who left or retired keeps their ledger but no standing: no summary, in no
        # count; the figures below are their ledger's as it stands.
        "serving": teacher.status == "serving",
        "status": result.status,
        "required": result.required,
        "credited": result.credited,
        "remaining": result.remaining,
        "expected": result.expected.quantize(Decimal("0.1")),
        "county_or_above": result.county_or_above,
        "ethics_this_year": result.ethics_this_year,
        "ethics_required": result.ethics_required,
        "this_year_credited": result.this_year_credited,
        "this_year_required": result.this_year_required,
        "explanations": result.explanations,
        "by_year": [
            {"year": y, "credited": str(c), "ethics": str(e)} for y, c, e in training.by_year
        ],
    }


class ComplianceView(APIView):
    scoped_by = "scope_queryset over teachers (a teacher outside the scope is a 404)"

    @extend_schema(responses=AssessmentSerializer)
    def get(self, request, teacher_id: int):
        teacher = get_object_or_404(
            scope_queryset(request.user, Teacher.objects.select_related("school__county")),
            pk=teacher_id,
        )
        return Response(AssessmentSerializer(assessment_data(teacher)).data)


class MyTrainingView(APIView):
    scoped_by = "the caller's own teacher, through scope_queryset"

    @extend_schema(responses=AssessmentSerializer)
    def get(self, request):
        if request.user.teacher_id is None:
            raise NotFound
        teacher = get_object_or_404(
            scope_queryset(request.user, Teacher.objects.select_related("school__county")),
            pk=request.user.teacher_id,
        )
        return Response(AssessmentSerializer(assessment_data(teacher)).data)


class SummaryView(APIView):
    scoped_by = "scope_queryset over regions and summaries (selectors.region_compliance)"

    @extend_schema(
        parameters=[OpenApiParameter("region", int, required=True)],
        responses=SummaryRowSerializer(many=True),
    )
    def get(self, request):
        try:
            region_id = int(request.query_params.get("region", ""))
        except ValueError:
            raise serializers.ValidationError({"region": "a region id is required"}) from None
        region = get_object_or_404(scope_queryset(request.user, Region.objects.all()), pk=region_id)
        whole, rows = selectors.region_compliance(request.user, region)
        data = [
            {"id": r.key, "name": r.label, "teachers": r.total, "counts": r.counts}
            for r in [whole, *rows]
        ]
        return Response(SummaryRowSerializer(data, many=True).data)
