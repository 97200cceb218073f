"""Data: the rural year (N §2.7) on the right tiers, and the rules the presets now carry.

- "≥ 1 year at a rural or weak school" gates 高级职称 applications and 特级教师 for
  compulsory-education teachers, in the Ningxia rule set only (POLICY §8). It is taken off
  the backbone tiers and every Wenzhou tier, and a Ningxia ladder gets its 特级教师 tier
  carrying it (for primary and junior teachers).
- A region with a loaded ladder gets that preset's title and principal conditions
  (``TalentRule``), unless it has its own.
- The Ningxia preset's rotation targets count the teachers eligible to rotate: 6 consecutive
  years at the same school, more than 5 years from retirement (where no condition is set).

Only rows as the presets wrote them are changed; a bureau's own values stay.
"""

from decimal import Decimal

from django.db import migrations

COMPULSORY = ["primary", "junior"]
NINGXIA_RULE = {
    "name": "宁夏 高级职称申报与校长任职条件",
    "rural_years_required": Decimal(1),
    "rural_stages": COMPULSORY,
    "registration_bars": True,
    "principal_rural_years_preferred": Decimal(3),
}
WENZHOU_RULE = {
    "name": "温州 乡村教师职称评聘",
    "registration_bars": True,
    "outside_quota_intermediate_years": 15,
    "outside_quota_senior_years": 30,
}
ROTATION_TARGETS = ["每年交流轮岗教师不低于 10%", "骨干教师不低于轮岗教师的 20%"]


def forwards(apps, schema_editor):
    Tier = apps.get_model("talent", "Tier")
    Target = apps.get_model("talent", "Target")
    TalentRule = apps.get_model("talent", "TalentRule")
    Tier.objects.filter(
        ladder="wenzhou", code__in=["province-special", "province-professor"], rural_years_required=1
    ).update(rural_years_required=0)
    Tier.objects.filter(ladder="ningxia", code="region-backbone", rural_years_required=1).update(
        rural_years_required=0
    )
    for region_id in (
        Tier.objects.filter(ladder="ningxia").values_list("region_id", flat=True).distinct()
    ):
        if not Tier.objects.filter(
            region_id=region_id, ladder="ningxia", code="special-teacher"
        ).exists():
            Tier.objects.create(
                region_id=region_id,
                ladder="ningxia",
                code="special-teacher",
                name="特级教师",
                track="teacher",
                level="province",
                rank=35,
                prerequisite=Tier.objects.filter(
                    region_id=region_id, ladder="ningxia", code="region-backbone"
                ).first(),
                rural_years_required=Decimal(1),
                rural_stages=COMPULSORY,
                run_by="province",
            )
    for ladder, spec in (("ningxia", NINGXIA_RULE), ("wenzhou", WENZHOU_RULE)):
        for region_id in (
            Tier.objects.filter(ladder=ladder).values_list("region_id", flat=True).distinct()
        ):
            TalentRule.objects.get_or_create(region_id=region_id, defaults=spec)
    Target.objects.filter(
        plan="强师计划 2023–2027",
        name__in=ROTATION_TARGETS,
        rotation_years_at_school__isnull=True,
        rotation_years_to_retirement__isnull=True,
    ).update(rotation_years_at_school=6, rotation_years_to_retirement=5)


class Migration(migrations.Migration):
    dependencies = [
        ("talent", "0005_rural_year_people_final_results"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
