from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = _("Pay parity")

    def ready(self):
        from portal import scope
        from portal.imports import kinds

        from .imports import PayReportKind
        from .models import ParityRule, PayAdjustment, PayReport

        kinds.register(PayReportKind())
        # Aggregates of a county: bureau staff see them; schools and teachers see none.
        scope.register(PayReport, region="county", school=None, teacher=None)
        scope.register(PayAdjustment, region="county", school=None, teacher=None)
        scope.register(ParityRule, region="region", school=None, teacher=None)
