from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonorsConfig(AppConfig):
    name = "honors"
    verbose_name = _("Honours")

    def ready(self):
        from portal import scope

        from .models import Candidate, HonourType

        scope.register(HonourType, region="region", school=None, teacher=None)
        scope.register(
            Candidate, region="teacher__school__county", school="teacher__school", teacher="teacher"
        )
