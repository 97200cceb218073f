"""Pay parity API: reports and adjustments (read and write, bureau staff, in scope) and the
derived checks of a region's counties with their roll-up."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import permissions
from portal.api.errors import as_drf
from portal.api.views import Scoped
from portal.models import Region
from portal.scope import scope_queryset
from portal.security import client_ip

from .. import rules, selectors, services
from ..models import PayAdjustment, PayReport


def _staff_only(user):
    if not permissions.is_bureau_staff(user):
        raise PermissionDenied


def _county(user, pk) -> Region:
    county = scope_queryset(user, Region.objects.filter(level="county")).filter(pk=pk).first()
    if county is None:
        raise serializers.ValidationError({"county": "no county in your scope has this id"})
    return county


class PayReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayReport
        fields = [
            "id",
            "county",
            "year",
            "teacher_pay",
            "civil_servant_pay",
            "kindergarten_income",
            "last_year_wage",
            "note",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        validators = []  # one per county and year: a second POST updates (upsert)


class PayAdjustmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayAdjustment
        fields = ["id", "county", "group", "effective_on", "amount", "note", "created_at"]
        read_only_fields = ["created_at"]


class PayReportViewSet(
    Scoped,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """A county's yearly figures. POST creates or updates the county's report for the year."""

    queryset = PayReport.objects.order_by("county_id", "year")
    serializer_class = PayReportSerializer
    filterset_fields = ["county", "year"]

    def _save(self, request, data, status_code):
        _staff_only(request.user)
        county = _county(request.user, data["county"].pk)
        values = {k: data[k] for k in [*services.FIGURES, "note"] if k in data}
        try:
            report, _changed = services.pay_report_save(
                county=county,
                year=data["year"],
                values=values,
                actor=request.user,
                ip_address=client_ip(request),
            )
        except DjangoValidationError as exc:
            raise as_drf(exc) from None
        return Response(PayReportSerializer(report).data, status=status_code)

    def create(self, request, *args, **kwargs):
        _staff_only(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._save(request, serializer.validated_data, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        _staff_only(request.user)
        report = self.get_object()
        serializer = self.get_serializer(report, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {"county": report.county, "year": report.year, **serializer.validated_data}
        data["county"], data["year"] = report.county, report.year  # not movable
        return self._save(request, data, status.HTTP_200_OK)


class PayAdjustmentViewSet(
    Scoped,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = PayAdjustment.objects.order_by("county_id", "effective_on")
    serializer_class = PayAdjustmentSerializer
    filterset_fields = ["county", "group"]

    def create(self, request, *args, **kwargs):
        _staff_only(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        county = _county(request.user, data.pop("county").pk)
        try:
            adjustment = services.adjustment_create(
                county=county,
                actor=request.user,
                ip_address=client_ip(request),
                **data,
            )
        except DjangoValidationError as exc:
            raise as_drf(exc) from None
        return Response(PayAdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        _staff_only(request.user)
        services.adjustment_delete(
            adjustment=self.get_object(),
            actor=request.user,
            ip_address=client_ip(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[rules.MET, rules.NOT_MET, rules.INCOMPLETE])
    gap = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    gap_pct = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class CountyCheckSerializer(serializers.Serializer):
    county = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    teacher_parity = CheckSerializer()
    kindergarten = CheckSerializer()
    in_step = CheckSerializer()


class RollupSerializer(serializers.Serializer):
    status = serializers.CharField()
    counties = serializers.IntegerField()
    met = serializers.IntegerField()
    not_met = serializers.IntegerField()
    incomplete = serializers.IntegerField()


class PayChecksSerializer(serializers.Serializer):
    region = serializers.IntegerField()
    year = serializers.IntegerField()
    rollup = RollupSerializer()
    counties = CountyCheckSerializer(many=True)


class PayChecksView(APIView):
    scoped_by = "scope_queryset over regions; selectors.county_results scopes the reports"
    """The checks of every county of ``region`` for ``year``, derived from the reports,
    and the region's roll-up."""

    @extend_schema(
        parameters=[
            OpenApiParameter("region", int, required=True),
            OpenApiParameter("year", int, required=True),
        ],
        responses=PayChecksSerializer,
    )
    def get(self, request):
        _staff_only(request.user)
        try:
            region_id = int(request.query_params.get("region", ""))
            year = int(request.query_params.get("year", ""))
        except ValueError:
            raise serializers.ValidationError(
                {"region": "region and year are required integers"}
            ) from None
        problem = rules.report_year_problem(year, timezone.localdate().year)
        if problem:
            raise serializers.ValidationError({"year": problem})
        region = get_object_or_404(scope_queryset(request.user, Region.objects.all()), pk=region_id)
        results = selectors.county_results(request.user, region, year)

        def check(c):
            return {"status": c.status, "gap": c.gap, "gap_pct": c.gap_pct, "notes": c.notes}

        data = {
            "region": region.pk,
            "year": year,
            "rollup": vars(rules.rollup([r.status for r in results])),
            "counties": [
                {
                    "county": r.county.pk,
                    "code": r.county.code,
                    "name": r.county.name,
                    "status": r.status,
                    "teacher_parity": check(r.parity),
                    "kindergarten": check(r.kindergarten),
                    "in_step": check(r.in_step),
                }
                for r in results
            ],
        }
        return Response(PayChecksSerializer(data).data)
