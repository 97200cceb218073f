"""Load the demo region: Zhejiang → Wenzhou → its 12 counties, eight schools or more in each
(every kind, rural and weak ones), about a thousand random teachers with service histories,
the named edge cases of ``demo_data.edge_cases`` (docs/demo.md), and one account per role."""

import importlib
import importlib.util
import random
from datetime import date

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from portal import demo_data, services
from portal.choices import RegionLevel, Role
from portal.models import ImportJob, Region, School, Teacher, User

DEMO_PASSWORD = "Demo@2026pw"  # noqa: S105 - printed on purpose: demo accounts only
DEMO_ACCOUNTS = [
    # (username, role, what it is attached to, description)
    ("admin", "", None, "superuser: everything, and /admin/"),
    ("zhejiang", Role.PROVINCE_STAFF, "province", "province bureau staff (浙江省)"),
    ("wenzhou", Role.CITY_STAFF, "city", "city bureau staff (温州市)"),
    ("lucheng", Role.COUNTY_STAFF, "county", "county bureau staff (鹿城区)"),
    ("school", Role.SCHOOL_ADMIN, "school", "school administrator (鹿城区第一小学)"),
    ("teacher", Role.TEACHER, "teacher", "a teacher of that school (林晓彤)"),
]


def _app_demo_modules():
    """Each app may ship a ``demo`` module with ``seed(*, rng, province, as_of)`` and
    ``reset(*, province)``; the kernel finds them through the app registry instead of
    importing the apps."""
    modules = []
    for config in apps.get_app_configs():
        if config.name == "portal" or importlib.util.find_spec(f"{config.name}.demo") is None:
            continue
        modules.append((str(config.verbose_name), importlib.import_module(f"{config.name}.demo")))
    return modules


class Command(BaseCommand):
    help = "Load the Wenzhou-shaped demo region with schools, teachers and one account per role."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022, help="random seed (default 2022)")
        parser.add_argument(
            "--teachers",
            type=int,
            default=1000,
            help="random teachers, besides the named edge cases (default 1000)",
        )
        parser.add_argument(
            "--schools-per-county",
            type=int,
            default=demo_data.MIN_SCHOOLS_PER_COUNTY,
            help=(
                f"at least {demo_data.MIN_SCHOOLS_PER_COUNTY}, the fixed schools every county "
                f"has (default {demo_data.MIN_SCHOOLS_PER_COUNTY})"
            ),
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=date(2026, 9, 1),
            help="reference date for service histories (default 2026-09-01)",
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo region first if it exists"
        )

    def handle(self, *args, seed, teachers, schools_per_county, as_of, reset, **options):
        if schools_per_county < demo_data.MIN_SCHOOLS_PER_COUNTY:
            raise CommandError(
                f"--schools-per-county must be at least {demo_data.MIN_SCHOOLS_PER_COUNTY}: "
                "every county has a school of each kind, rural and weak ones."
            )
        if Region.objects.filter(code=demo_data.PROVINCE[0]).exists():
            if not reset:
                self.stdout.write("Demo data is already loaded (use --reset to rebuild it).")
                self._print_accounts()
                return
            self._delete_demo()
        rng = random.Random(seed)
        school_specs = demo_data.make_schools(rng, schools_per_county)
        edge_specs = demo_data.edge_cases(as_of)
        teacher_specs = demo_data.make_teachers(
            rng,
            school_specs,
            teachers,
            as_of=as_of,
            reserved_ids={spec.id_number for spec in edge_specs},
            reserved_names={spec.name for spec in edge_specs},
            principal_schools={
                p.school_code for spec in edge_specs for p in spec.periods if p.role == "principal"
            },
        )
        with transaction.atomic():
            counties = self._regions()
            schools = self._schools(school_specs, counties)
            self._teachers(teacher_specs, schools)
            edge_teachers = self._teachers(edge_specs, schools)
            self._accounts(counties, edge_teachers[demo_data.DEMO_TEACHER])
            province = next(iter(counties.values())).parent.parent
            for label, module in _app_demo_modules():
                summary = module.seed(rng=rng, province=province, as_of=as_of)
                self.stdout.write(f"{label}: {summary}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(counties)} counties, {len(schools)} schools, "
                f"{len(teacher_specs)} teachers and {len(edge_specs)} named edge cases "
                f"(seed {seed}, as of {as_of}; see docs/demo.md)."
            )
        )
        self._print_accounts()

    def _delete_demo(self):
        province = Region.objects.get(code=demo_data.PROVINCE[0])
        with transaction.atomic():
            for _label, module in reversed(_app_demo_modules()):
                module.reset(province=province)
            ImportJob.objects.filter(region__path__startswith=province.subtree_prefix).delete()
            ImportJob.objects.filter(
                uploaded_by__username__in=[a[0] for a in DEMO_ACCOUNTS]
            ).delete()
            User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).delete()
            in_region = {"school__county__path__startswith": province.path}
            Teacher.objects.filter(**in_region).delete()
            School.objects.filter(county__path__startswith=province.subtree_prefix).delete()
            for level in (RegionLevel.COUNTY, RegionLevel.CITY, RegionLevel.PROVINCE):
                Region.objects.filter(
                    path__startswith=province.subtree_prefix, level=level
                ).delete()

    def _regions(self):
        province = services.region_create(
            code=demo_data.PROVINCE[0], name=demo_data.PROVINCE[1], level=RegionLevel.PROVINCE
        )
        city = services.region_create(
            code=demo_data.CITY[0], name=demo_data.CITY[1], level=RegionLevel.CITY, parent=province
        )
        return {
            code: services.region_create(
                code=code,
                name=name,
                level=RegionLevel.COUNTY,
                parent=city,
                is_mountain_island=mountain,
                is_key_support=key,
            )
            for code, name, mountain, key in demo_data.COUNTIES
        }

    def _schools(self, specs, counties):
        return {
            spec.code: services.school_create(
                code=spec.code,
                name=spec.name,
                county=counties[spec.county_code],
                school_type=spec.school_type,
                is_rural=spec.is_rural,
                is_weak=spec.is_weak,
                is_public=spec.is_public,
            )
            for spec in specs
        }

    def _teachers(self, specs, schools) -> dict[str, Teacher]:
        """Create the teachers of ``specs`` with their service periods and sanctions; returns
        the edge cases among them by key."""
        today = timezone.localdate()
        keyed = {}
        for spec in specs:
            # The periods come from the spec, not from teacher_create's first period.
            teacher = Teacher(
                name=spec.name,
                school=schools[spec.school_code],
                stage=spec.stage,
                subject=spec.subject,
                staffing=spec.staffing,
                is_full_time=spec.is_full_time,
                professional_title=spec.professional_title,
                started_teaching=spec.started_teaching,
                status=spec.status,
                retired_on=spec.retired_on,
                registration=spec.registration,
                **services.id_number_fields(spec.id_number, today=today),
            )
            teacher.full_clean()
            teacher.save()
            for period in spec.periods:
                services.service_period_open(
                    teacher=teacher,
                    school=schools[period.school_code],
                    role=period.role,
                    stage=period.stage,
                    start=period.start,
                    end=period.end,
                    from_reserve=period.from_reserve,
                )
            if spec.sanction:
                services.ethics_record_create(
                    teacher=teacher,
                    decided_on=spec.sanction.start,
                    sanction=spec.sanction.sanction,
                    in_force_from=spec.sanction.start,
                    in_force_to=spec.sanction.end,
                    reason="违反中小学教师职业行为十项准则（演示数据）",
                )
            if spec.key:
                keyed[spec.key] = teacher
        return keyed

    def _accounts(self, counties, teacher):
        """One account per role; the school administrator's school and the teacher account
        are the demo teacher's (鹿城区第一小学)."""
        lucheng = counties["330302"]
        targets = {
            "province": {"region": lucheng.parent.parent},
            "city": {"region": lucheng.parent},
            "county": {"region": lucheng},
            "school": {"school": teacher.school},
            "teacher": {"teacher": teacher},
        }
        for username, role, target, _description in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                raise CommandError(f"An account named {username!r} already exists.")
            user = services.user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                **(targets[target] if target else {}),
            )
            if not role:
                user.is_superuser = user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])
        User.objects.filter(username="teacher").update(first_name=teacher.name)

    def _print_accounts(self):
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for username, _role, _target, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {description}")
