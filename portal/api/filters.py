import django_filters

from ..models import Region, School, Teacher


class RegionFilter(django_filters.FilterSet):
    class Meta:
        model = Region
        fields = ["code", "level", "parent", "is_mountain_island", "is_key_support"]


class SchoolFilter(django_filters.FilterSet):
    region = django_filters.NumberFilter(method="in_region", label="region (subtree)")

    class Meta:
        model = School
        fields = ["code", "county", "school_type", "is_rural", "is_weak", "is_public"]

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).first()
        return (
            queryset.filter(county__path__startswith=region.subtree_prefix)
            if region
            else queryset.none()
        )


class TeacherFilter(django_filters.FilterSet):
    region = django_filters.NumberFilter(method="in_region", label="region (subtree)")
    county = django_filters.NumberFilter(field_name="school__county")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Teacher
        fields = [
            "school",
            "stage",
            "staffing",
            "is_full_time",
            "professional_title",
            "status",
            "gender",
        ]

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).first()
        if region is None:
            return queryset.none()
        return queryset.filter(school__county__path__startswith=region.subtree_prefix)
