from django import template

from ..choices import Stage

register = template.Library()


@register.filter
def stage_label(code: str) -> str:
    try:
        return Stage(code).label
    except ValueError:
        return code


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)


@register.filter
def served(value) -> str:
    """Years of service as people say them: “16 年 91 天” (``rules.Served``)."""
    from django.utils.translation import gettext

    if value is None:
        return ""
    if not value.days:
        return gettext("%(years)d years") % {"years": value.years}
    return gettext("%(years)d years %(days)d days") % {"years": value.years, "days": value.days}
