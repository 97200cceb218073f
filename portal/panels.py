"""Panels other apps add to a teacher's page (titles, training hours), so the kernel shows
them without importing the apps. An app registers a function in its ``AppConfig.ready``:
it gets the request and the teacher (already in the user's scope) and returns a dict with a
``template`` and that template's context, or ``None``."""

_TEACHER_PANELS = []


def register_teacher_panel(build) -> None:
    _TEACHER_PANELS.append(build)


def teacher_panels(request, teacher) -> list[dict]:
    panels = []
    for build in _TEACHER_PANELS:
        panel = build(request, teacher)
        if panel:
            panels.append(panel)
    return panels
