import contextlib

from rest_framework import serializers

from portal.models import Teacher
from portal.scope import scope_queryset

from .. import selectors
from ..models import RULE_FIELDS, Course, RuleSet, TrainingRecord
from ..rules import RECORD_HOURS


class RuleSetSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = RuleSet
        fields = ["id", "region", "region_code", *RULE_FIELDS]


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = [
            "id",
            "code",
            "title",
            "provider",
            "region",
            "level",
            "category",
            "mode",
            "hours",
            "starts_on",
            "ends_on",
        ]


class CreditableCourseField(serializers.PrimaryKeyRelatedField):
    """A course the record's teacher may be credited with (``selectors.creditable_courses``).
    Any other id, of a course elsewhere or of none, gets DRF's one answer for an unknown id;
    with no teacher in scope every course is unknown."""

    def get_queryset(self):
        teacher = self.parent.input_teacher()
        if teacher is None:
            return Course.objects.none()
        return selectors.creditable_courses(teacher.school.county)


class TrainingRecordSerializer(serializers.ModelSerializer):
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=RECORD_HOURS[0], max_value=RECORD_HOURS[1]
    )
    missed = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, max_value=500, default=0
    )
    course = CreditableCourseField(default=None, allow_null=True)
    course_code = serializers.CharField(
        source="course.code", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "teacher",
            "course",
            "course_code",
            "description",
            "hours",
            "missed",
            "completed_on",
            "level",
            "category",
            "mode",
            "source",
            "status",
            "reject_reason",
            "reverses",
            "is_reversed",
            "created_at",
            "reviewed_at",
        ]
        read_only_fields = [
            "source",
            "status",
            "reject_reason",
            "reverses",
            "is_reversed",
            "created_at",
            "reviewed_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        # Teachers outside the caller's scope read like ids that do not exist.
        request = self.context.get("request")
        fields["teacher"].queryset = (
            scope_queryset(request.user, Teacher.objects.select_related("school__county"))
            if request is not None
            else Teacher.objects.none()
        )
        return fields

    def input_teacher(self):
        """The teacher named in the input, if it is one in the caller's scope."""
        if not hasattr(self, "_input_teacher"):
            self._input_teacher = None
            data = getattr(self, "initial_data", None)
            if hasattr(data, "get") and data.get("teacher") is not None:
                with contextlib.suppress(serializers.ValidationError):
                    self._input_teacher = self.fields["teacher"].to_internal_value(
                        data.get("teacher")
                    )
        return self._input_teacher


class ReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AssessmentSerializer(serializers.Serializer):
    teacher = serializers.IntegerField()
    rule_set = serializers.IntegerField()
    unit = serializers.CharField()
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    serving = serializers.BooleanField()
    status = serializers.CharField()
    required = serializers.DecimalField(max_digits=8, decimal_places=1)
    credited = serializers.DecimalField(max_digits=8, decimal_places=1)
    remaining = serializers.DecimalField(max_digits=8, decimal_places=1)
    expected = serializers.DecimalField(max_digits=8, decimal_places=1)
    county_or_above = serializers.DecimalField(max_digits=8, decimal_places=1)
    ethics_this_year = serializers.DecimalField(max_digits=8, decimal_places=1)
    ethics_required = serializers.DecimalField(max_digits=8, decimal_places=1)
    this_year_credited = serializers.DecimalField(max_digits=8, decimal_places=1)
    this_year_required = serializers.DecimalField(max_digits=8, decimal_places=1)
    explanations = serializers.ListField(child=serializers.CharField())
    by_year = serializers.ListField(child=serializers.DictField())


class SummaryRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    teachers = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
