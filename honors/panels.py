from django.utils import timezone

from portal import rules as kernel
from portal.selectors import ethics_vetoes

from . import selectors


def honours_panel(request, teacher):
    """A teacher's honours and the ones they are close to, on their page."""
    on = timezone.localdate()
    veto = ethics_vetoes([teacher.pk], on).get(teacher.pk)
    # Years are judged at the end of the last full day: today is still in progress.
    found = selectors.teacher_honours(teacher, on=kernel.last_full_day(on), veto=veto)
    if not found["awards"] and not found["close"]:
        return None
    return {"template": "honors/_teacher_honours.html", **found}
