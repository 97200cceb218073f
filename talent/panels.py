from django.utils import timezone

from .models import Title


def titles_panel(request, teacher):
    titles = list(Title.objects.filter(teacher=teacher).select_related("tier", "awarding_region"))
    if not titles:
        return None
    today = timezone.localdate()
    for title in titles:
        title.in_force = title.revoked_on is None and (
            title.valid_until is None or title.valid_until >= today
        )
    return {"template": "talent/_teacher_titles.html", "titles": titles}
