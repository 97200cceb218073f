from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import logging as portal_logging
        from . import scope, security
        from .imports import kinds, roster

        portal_logging.mask_every_record()
        security.audit_log_ins()

        kinds.register(roster.RosterKind())
        from .models import (
            AuditEvent,
            EthicsRecord,
            ImportJob,
            ImportRow,
            Region,
            School,
            ServicePeriod,
            Teacher,
            TransferRequest,
        )

        # How each kernel model reaches a region, a school and a teacher ("" = itself).
        scope.register(Region, region="", school=None, teacher=None)
        scope.register(School, region="county", school="", teacher=None)
        scope.register(Teacher, region="school__county", school="school", teacher="")
        scope.register(
            ServicePeriod,
            region="teacher__school__county",
            school="teacher__school",
            teacher="teacher",
        )
        scope.register(
            EthicsRecord,
            region="teacher__school__county",
            school="teacher__school",
            teacher="teacher",
        )
        scope.register(AuditEvent, region="region", school=None, teacher=None)
        scope.register(ImportJob, region="region", school="school", teacher=None)
        scope.register(ImportRow, region="job__region", school="job__school", teacher=None)
        # Requests into a school: its staff above and its administrators (who requested
        # them) see them; the teacher's current school does not enter into who sees them.
        scope.register(
            TransferRequest, region="to_school__county", school="to_school", teacher=None
        )
