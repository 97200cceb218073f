from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "talent"
    verbose_name = _("Talent ladder")

    def ready(self):
        from portal import panels, scope

        from .panels import senior_title_panel, titles_panel

        panels.register_teacher_panel(titles_panel)
        panels.register_teacher_panel(senior_title_panel)

        from portal.imports import kinds

        from .imports import NominationKind

        kinds.register(NominationKind())

        from .models import (
            Attainment,
            Enrolment,
            Programme,
            Rotation,
            Studio,
            TalentRule,
            Target,
            Tier,
            Title,
        )

        scope.register(Tier, region="region", school=None, teacher=None)
        scope.register(Programme, region="region", school=None, teacher=None)
        scope.register(Target, region="region", school=None, teacher=None)
        scope.register(TalentRule, region="region", school=None, teacher=None)
        scope.register(Attainment, region="region", school=None, teacher=None)
        scope.register(
            Enrolment, region="teacher__school__county", school="teacher__school", teacher="teacher"
        )
        scope.register(Studio, region="region", school="school", teacher=None)
        scope.register(
            Rotation, region="from_school__county", school="from_school", teacher="teacher"
        )
        scope.register(
            Title, region="teacher__school__county", school="teacher__school", teacher="teacher"
        )
