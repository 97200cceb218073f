"""Honours API: honour types, candidates (reviewed in bulk), awards and their certificates,
through the scope function."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from portal import permissions
from portal.api.errors import as_drf
from portal.api.views import Scoped
from portal.security import client_ip
from portal.services import audit_record

from .. import certificate, selectors, services
from ..models import Award, Candidate, HonourType


class HonourTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = HonourType
        fields = [
            "id",
            "region",
            "code",
            "name",
            "basis",
            "years",
            "years_senior_high",
            "must_be_serving",
            "close_within_years",
            "cadence_from",
            "cadence_every",
            "next_open_year",
        ]

    # The first year from this year on that takes nominations (this year without a cadence).
    next_open_year = serializers.IntegerField(read_only=True)


class CandidateSerializer(serializers.ModelSerializer):
    teacher_name = serializers.CharField(source="teacher.name", read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "honour_type",
            "teacher",
            "teacher_name",
            "year",
            "years",
            "evidence",
            "status",
            "reason",
            "reviewed_at",
        ]


class AwardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Award
        fields = [
            "id",
            "honour_type",
            "teacher",
            "year",
            "years",
            "certificate_number",
            "verification_code",
            "awarded_on",
            "batch",
            "revoked_on",
        ]


class HonourReviewSerializer(serializers.Serializer):
    candidates = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=5000,
    )
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class HonourReviewResultSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    refused = serializers.ListField(child=serializers.CharField())
    batch = serializers.IntegerField(allow_null=True)


class HonourTypeViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    """The honour types of the caller's region, of the regions above (which the caller's
    teachers can earn) and of the regions below."""

    queryset = HonourType.objects.all()
    serializer_class = HonourTypeSerializer

    def visible(self, queryset):
        return selectors.honour_types(self.request.user).order_by("pk")


class CandidateViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    queryset = Candidate.objects.select_related("teacher").order_by("pk")
    serializer_class = CandidateSerializer
    filterset_fields = ["year", "status", "honour_type"]

    @extend_schema(request=HonourReviewSerializer, responses=HonourReviewResultSerializer)
    @action(detail=False, methods=["post"])
    def review(self, request):
        """Approve or reject candidates in bulk (rejection needs a reason)."""
        user = request.user
        if not permissions.is_bureau_staff(user):
            raise PermissionDenied
        data = HonourReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decided, refused, batch = services.candidates_review(
                candidates=self.get_queryset().filter(pk__in=data.validated_data["candidates"]),
                actor=user,
                approve=data.validated_data["decision"] == "approve",
                reason=data.validated_data.get("reason", ""),
            )
        except DjangoValidationError as exc:
            raise as_drf(exc) from None
        return Response(
            {"decided": decided, "refused": refused, "batch": batch.pk if batch else None}
        )


class AwardViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    queryset = Award.objects.select_related("honour_type__region", "teacher").order_by("pk")
    serializer_class = AwardSerializer
    filterset_fields = ["year", "honour_type", "batch"]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def certificate(self, request, pk=None):
        """The printable certificate (PDF)."""
        award = self.get_object()
        if award.revoked_on:
            raise NotFound(_("The award was revoked."))
        try:
            body = certificate.render(
                [award],
                verify_url=lambda code: request.build_absolute_uri(
                    reverse("honours_verify", args=[code])
                ),
            )
        except certificate.FontMissing as exc:
            return Response({"detail": str(exc)}, status=503)
        audit_record(
            actor=request.user,
            action="honours.certificates",
            ip_address=client_ip(request),
            detail={"awards": [award.certificate_number]},
        )
        return HttpResponse(body, content_type="application/pdf")
