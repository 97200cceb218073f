from django.utils import timezone

from portal.scope import in_scope

from . import rules, selectors
from .models import Title


def titles_panel(request, teacher):
    titles = list(Title.objects.filter(teacher=teacher).select_related("tier", "awarding_region"))
    if not titles:
        return None
    today = timezone.localdate()
    for title in titles:
        title.in_force = rules.title_in_force(title, today)  # the one definition
    return {"template": "talent/_teacher_titles.html", "titles": titles}


def senior_title_panel(request, teacher):
    """May the teacher apply for a senior title (高级职称) under their region's conditions:
    every reason against, and the facts besides (rural titles outside the quota, a
    principal candidate's rural years). Only for a teacher in the viewer's scope, and only
    where a region above the school has set conditions."""
    if not in_scope(request.user, teacher):
        return None
    found = selectors.senior_title_check(teacher, on=timezone.localdate())
    if found is None:
        return None
    rule, check = found
    return {"template": "talent/_senior_title.html", "rule": rule, "check": check}
