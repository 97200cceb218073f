from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training hours")

    def ready(self):
        from portal import panels, scope

        from .panels import training_panel

        panels.register_teacher_panel(training_panel)
        from portal.imports import kinds

        from .imports import TrainingKind

        kinds.register(TrainingKind())

        from portal import hooks

        from .services import summaries_refresh_after_teachers_changed

        hooks.on_teachers_changed(summaries_refresh_after_teachers_changed)

        from .models import Course, Provider, RuleSet, TrainingRecord, TrainingSummary

        # Rule sets, providers and courses belong to the region that made them; schools and
        # teachers see none of them directly (their pages show what applies to them).
        scope.register(RuleSet, region="region", school=None, teacher=None)
        scope.register(Provider, region="region", school=None, teacher=None)
        scope.register(Course, region="region", school=None, teacher=None)
        scope.register(
            TrainingRecord,
            region="teacher__school__county",
            school="teacher__school",
            teacher="teacher",
        )
        scope.register(
            TrainingSummary,
            region="teacher__school__county",
            school="teacher__school",
            teacher="teacher",
        )
