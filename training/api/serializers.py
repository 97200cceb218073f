from rest_framework import serializers

from ..models import RULE_FIELDS, Course, RuleSet, TrainingRecord


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


class TrainingRecordSerializer(serializers.ModelSerializer):
    hours = serializers.DecimalField(max_digits=6, decimal_places=1)
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


class ReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AssessmentSerializer(serializers.Serializer):
    teacher = serializers.IntegerField()
    rule_set = serializers.IntegerField()
    unit = serializers.CharField()
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    status = serializers.CharField()
    required = serializers.DecimalField(max_digits=8, decimal_places=1)
    credited = serializers.DecimalField(max_digits=8, decimal_places=1)
    remaining = serializers.DecimalField(max_digits=8, decimal_places=1)
    expected = serializers.DecimalField(max_digits=8, decimal_places=1)
    county_or_above = serializers.DecimalField(max_digits=8, decimal_places=1)
    ethics_this_year = serializers.DecimalField(max_digits=8, decimal_places=1)
    ethics_required = serializers.DecimalField(max_digits=8, decimal_places=1)
    explanations = serializers.ListField(child=serializers.CharField())
    by_year = serializers.ListField(child=serializers.DictField())


class SummaryRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    teachers = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
