from .choices import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_bureau": user.is_superuser
        or user.role in (Role.PROVINCE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF),
        "is_school_admin": user.role == Role.SCHOOL_ADMIN,
        "is_teacher": user.role == Role.TEACHER,
    }
