from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonorsConfig(AppConfig):
    name = "honors"
    verbose_name = _("Honours")

    def ready(self):
        from portal import panels, scope

        from .models import Award, AwardBatch, Candidate, HonourType
        from .panels import honours_panel

        panels.register_teacher_panel(honours_panel)
        scope.register(HonourType, region="region", school=None, teacher=None)
        scope.register(AwardBatch, region="honour_type__region", school=None, teacher=None)
        scope.register(
            Award, region="teacher__school__county", school="teacher__school", teacher="teacher"
        )
        scope.register(
            Candidate, region="teacher__school__county", school="teacher__school", teacher="teacher"
        )
