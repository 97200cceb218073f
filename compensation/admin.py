"""Admin for pay parity, scoped like every other door. Reports and adjustments are entered
on the pay pages (which audit every change); the admin shows them and edits the rules."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin, ScopedAdmin

from .models import ParityRule, PayAdjustment, PayReport


@admin.register(ParityRule)
class ParityRuleAdmin(ScopedAdmin):
    list_display = [
        "region",
        "effective_from",
        "teacher_ratio",
        "kindergarten_ratio",
        "step_window_days",
    ]


@admin.register(PayReport)
class PayReportAdmin(ReadOnlyAdmin):
    list_display = ["county", "year", "teacher_pay", "civil_servant_pay", "updated_at"]
    list_filter = ["year"]


@admin.register(PayAdjustment)
class PayAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["county", "group", "effective_on", "amount"]
    list_filter = ["group"]
