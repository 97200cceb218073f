from django.utils import timezone
from rest_framework import serializers

from .. import permissions, rules
from ..models import Region, School, ServicePeriod, Teacher, User


class IDNumberSerializerField(serializers.CharField):
    """An ID number as people type it, cleaned to its 18 characters or refused with the
    rule's message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return rules.parse_id_number(value, today=timezone.localdate()).value
        except rules.IDNumberError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from None


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "is_mountain_island", "is_key_support"]


class SchoolSerializer(serializers.ModelSerializer):
    county_code = serializers.CharField(source="county.code", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "county",
            "county_code",
            "county_name",
            "school_type",
            "is_rural",
            "is_weak",
            "is_public",
        ]


class ServicePeriodSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = ServicePeriod
        fields = ["id", "school", "school_name", "role", "stage", "start", "end"]


class TeacherSearchSerializer(serializers.Serializer):
    id_number = IDNumberSerializerField()


class TeacherSerializer(serializers.ModelSerializer):
    """A teacher as lists show them: the ID number only masked, and the birth year (which
    narrows the mask) only to those who may reveal the number anyway."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    school_code = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    county = serializers.IntegerField(source="school.county_id", read_only=True)
    # Not the birth date: with the masked ID number it would give the whole number away.
    birth_year = serializers.SerializerMethodField()

    class Meta:
        model = Teacher
        fields = [
            "id",
            "id_number",
            "name",
            "gender",
            "birth_year",
            "school",
            "school_code",
            "school_name",
            "county",
            "subject",
            "stage",
            "staffing",
            "is_full_time",
            "professional_title",
            "started_teaching",
            "status",
            "retired_on",
        ]

    def get_birth_year(self, teacher) -> int | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return None
        if user.teacher_id == teacher.pk or permissions.may_reveal_id_numbers(user):
            return teacher.birth_date.year
        return None


class ServedSerializer(serializers.Serializer):
    """Whole years served and the days beyond them, by calendar (POLICY §8)."""

    years = serializers.IntegerField()
    days = serializers.IntegerField()


class ServiceYearsSerializer(serializers.Serializer):
    teaching = ServedSerializer()
    rural = ServedSerializer()
    head_teacher = ServedSerializer()
    head_teacher_by_stage = serializers.DictField(child=ServedSerializer())
    principal = ServedSerializer()
    completed_teaching_years = serializers.IntegerField()
    completed_rural_years = serializers.IntegerField()


class TeacherDetailSerializer(TeacherSerializer):
    service_periods = ServicePeriodSerializer(many=True, read_only=True)
    service_years = serializers.SerializerMethodField()
    ethics_veto_in_force = serializers.SerializerMethodField()

    class Meta(TeacherSerializer.Meta):
        fields = [
            *TeacherSerializer.Meta.fields,
            "service_periods",
            "service_years",
            "ethics_veto_in_force",
        ]

    def _record(self, teacher):
        from ..selectors import teacher_record

        cache = self.context.setdefault("_records", {})
        if teacher.pk not in cache:
            cache[teacher.pk] = teacher_record(teacher)
        return cache[teacher.pk]

    def get_service_years(self, teacher) -> dict:
        return ServiceYearsSerializer(self._record(teacher).summary).data

    def get_ethics_veto_in_force(self, teacher) -> bool:
        return self._record(teacher).veto is not None


class MeSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    region_name = serializers.CharField(
        source="region.name", read_only=True, default=None, allow_null=True
    )
    school_name = serializers.CharField(
        source="school.name", read_only=True, default=None, allow_null=True
    )
    teacher = TeacherSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "role",
            "role_label",
            "region",
            "region_name",
            "school",
            "school_name",
            "teacher",
            "is_superuser",
        ]
