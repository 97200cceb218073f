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
