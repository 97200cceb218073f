"""Talent API: targets and their attainment snapshots, programmes, enrolments and titles,
through the scope function."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from portal import permissions
from portal.api.views import Scoped

from .. import selectors, services
from ..models import Attainment, Enrolment, Programme, Target, Title


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "name",
            "region",
            "applies_to",
            "kind",
            "tiers",
            "stages",
            "studio_level",
            "include_vocational",
            "rotation_years_at_school",
            "rotation_years_to_retirement",
            "retirement_age_men",
            "retirement_age_women",
            "figure",
            "figure_max",
            "plan_start",
            "deadline",
        ]


class AttainmentSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name", read_only=True)

    class Meta:
        model = Attainment
        fields = [
            "id",
            "target",
            "target_name",
            "region",
            "as_of",
            "achieved",
            "denominator",
            "ratio",
            "expected",
            "status",
        ]


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "region",
            "tier",
            "draws_from",
            "stages",
            "window_start",
            "window_end",
            "selection_quota",
            "target_titles",
            "reserved_shares",
            "min_training",
        ]


class EnrolmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "programme", "teacher", "status", "targeted_post", "created_at"]


class MoveSerializer(serializers.Serializer):
    to = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Title
        fields = [
            "id",
            "teacher",
            "tier",
            "awarding_region",
            "awarded_on",
            "certificate_number",
            "valid_until",
            "revoked_on",
        ]


class TargetViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    queryset = Target.objects.prefetch_related("tiers")
    serializer_class = TargetSerializer
    filterset_fields = ["plan", "region", "kind"]


class AttainmentFilter(django_filters.FilterSet):
    as_of = django_filters.DateFilter()

    class Meta:
        model = Attainment
        fields = ["region", "target", "as_of", "status"]


class AttainmentViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """Snapshots of the targets for the regions in scope; ``?region=&as_of=``."""

    queryset = Attainment.objects.select_related("target").order_by("target_id", "as_of")
    serializer_class = AttainmentSerializer
    filterset_class = AttainmentFilter


class ProgrammeViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """Programmes of the caller's region, of the regions above it (a county nominates into its
    city's) and below it."""

    queryset = Programme.objects.all()
    serializer_class = ProgrammeSerializer

    def visible(self, queryset):
        return selectors.visible_programmes(self.request.user)


class EnrolmentViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    queryset = Enrolment.objects.all()
    serializer_class = EnrolmentSerializer
    filterset_fields = ["programme", "status"]

    @extend_schema(request=MoveSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        enrolment = self.get_object()
        if not permissions.is_staff_of(request.user, enrolment.programme.region):
            raise NotFound
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.enrolment_move(
                enrolment=enrolment,
                to=body.validated_data["to"],
                actor=request.user,
                note=body.validated_data.get("note", ""),
            )
        except (DjangoValidationError, ValueError) as exc:
            messages = getattr(exc, "messages", [str(exc)])
            raise serializers.ValidationError({"to": messages}) from None
        enrolment.refresh_from_db()
        return Response(EnrolmentSerializer(enrolment).data)


class TitleViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    queryset = Title.objects.all()
    serializer_class = TitleSerializer
    filterset_fields = ["teacher", "tier"]
