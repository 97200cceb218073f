"""Roster import at city scale: 100,000 rows validated and imported, against PostgreSQL's
COPY of the same rows into a plain table (the floor) and a stock django-import-export
ModelResource (the framework's defaults), all measured in this run.

    DATABASE_URL is set by the script (database portal_bench on 127.0.0.1).
    .venv/bin/python bench/roster_import.py [--rows 100000] [--stock-rows 10000]
    .venv/bin/python bench/roster_import.py --xlsx-memory   # peak memory of a 100k xlsx
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from datetime import date

from common import city, peak_rss_mb, setup_django, timed

HEADER = [
    "学校标识码",
    "姓名",
    "身份证号",
    "学段",
    "任教学科",
    "编制情况",
    "是否专任教师",
    "职称",
    "从教起始日期",
]


def make_rows(count: int, schools, seed: int = 1) -> list[list[str]]:
    from portal import rules

    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < count:
        birth = date(rng.randint(1966, 2001), rng.randint(1, 12), rng.randint(1, 28))
        school = schools[len(rows) % len(schools)]
        first17 = f"{school.county.code}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        id_number = first17 + rules.id_check_character(first17)
        if id_number in seen:
            continue
        seen.add(id_number)
        rows.append(
            [
                school.code,
                "张" + "伟芳娜敏静丽强磊军"[len(rows) % 9] + "明",
                id_number,
                rng.choice(["小学", "初中"]),
                rng.choice(["语文", "数学", "英语"]),
                rng.choice(["在编", "在编", "非编"]),
                "是",
                rng.choice(["一级教师", "二级教师"]),
                f"{birth.year + 22}-09-01",
            ]
        )
    return rows


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def copy_baseline(rows) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_roster_copy")
        cursor.execute(
            "CREATE TABLE bench_roster_copy (school_code text, name text, "
            "id_number text UNIQUE, stage text, subject text, staffing text, "
            "full_time text, title text, started text)"
        )
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        buffer.seek(0)
        cursor.cursor.copy_expert("COPY bench_roster_copy FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute("DROP TABLE bench_roster_copy")


def reset_teachers() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE portal_serviceperiod, portal_ethicsrecord, portal_importrow, "
            "portal_importjob, portal_teacher RESTART IDENTITY CASCADE"
        )


def bench_user(city_region):
    from portal.models import User

    user = User.objects.filter(username="bench").first()
    return user or User.objects.create(username="bench", role="city_staff", region=city_region)


def ours(data: bytes, user, name="roster.csv"):
    from portal.imports import services

    user = bench_user(user.region)  # TRUNCATE … CASCADE also empties the user table
    job = services.import_job_create(
        user=user, kind="roster", file_name=name, data=data, commit_when_valid=True
    )
    job.refresh_from_db()
    return job


def stock_import_export(rows) -> None:
    """django-import-export with default options: a ModelResource, ForeignKeyWidget for the
    school, import_id_fields on the lookup hash. The ID number's derived fields are filled in
    before_import_row, the least a model with an encrypted key needs."""
    import tablib
    from import_export import fields, resources, widgets

    from portal import crypto, rules
    from portal.models import School, Teacher

    class StockTeacherResource(resources.ModelResource):
        school = fields.Field(
            attribute="school",
            column_name="school",
            widget=widgets.ForeignKeyWidget(School, field="code"),
        )

        class Meta:
            model = Teacher
            import_id_fields = ["id_number_hash"]
            fields = [
                "id_number_hash",
                "id_number_encrypted",
                "id_number_masked",
                "name",
                "gender",
                "birth_date",
                "school",
                "stage",
                "subject",
                "staffing",
            ]

        def before_import(self, dataset, **kwargs):
            parsed = [rules.parse_id_number(v, today=date.today()) for v in dataset["id_number"]]
            dataset.append_col(
                [crypto.lookup_hash(p.value) for p in parsed], header="id_number_hash"
            )
            dataset.append_col(
                [crypto.encrypt_text(p.value) for p in parsed], header="id_number_encrypted"
            )
            dataset.append_col([p.masked for p in parsed], header="id_number_masked")
            dataset.append_col([p.gender for p in parsed], header="gender")
            dataset.append_col([p.birth_date for p in parsed], header="birth_date")

    stage = {"小学": "primary", "初中": "junior"}
    staffing = {"在编": "established", "非编": "non_established"}
    dataset = tablib.Dataset(
        headers=["school", "name", "id_number", "stage", "subject", "staffing"]
    )
    for r in rows:
        dataset.append([r[0], r[1], r[2], stage[r[3]], r[4], staffing[r[5]]])
    result = StockTeacherResource().import_data(dataset, raise_errors=True)
    assert not result.has_errors()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--stock-rows", type=int, default=10_000)
    parser.add_argument("--xlsx-memory", action="store_true")
    parser.add_argument("--preview", action="store_true", help="time the preview of 100k rows")
    args = parser.parse_args()
    setup_django(fresh=not args.xlsx_memory)
    city_region, schools = city()
    from portal.models import School

    schools = list(School.objects.select_related("county").order_by("id"))
    user = bench_user(city_region)
    if args.xlsx_memory:
        return xlsx_memory(args.rows, schools, user)
    if args.preview:
        return preview(args.rows, schools, user)

    results: dict[str, float] = {}
    rows = make_rows(args.rows, schools)
    data = csv_bytes(rows)
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB CSV, {len(schools):,} schools")
    for attempt in range(2):
        with timed(f"COPY into a plain table (run {attempt + 1})", results):
            copy_baseline(rows)
    copy_best = min(v for k, v in results.items() if k.startswith("COPY"))

    reset_teachers()
    with timed("ours: check + import, all new", results):
        job = ours(data, user)
    assert (job.status, job.new_rows) == ("done", args.rows), (job.status, job.file_errors)
    with timed("ours: same file again, all unchanged", results):
        job = ours(data, user)
    assert job.unchanged_rows == args.rows

    small = rows[: args.stock_rows]
    reset_teachers()
    with timed(f"stock django-import-export, {args.stock_rows:,} new rows", results):
        stock_import_export(small)
    reset_teachers()
    with timed(f"ours, the same {args.stock_rows:,} new rows", results):
        job = ours(csv_bytes(small), user)
    assert job.new_rows == args.stock_rows

    ours_full = results["ours: check + import, all new"]
    stock = results[f"stock django-import-export, {args.stock_rows:,} new rows"]
    ours_small = results[f"ours, the same {args.stock_rows:,} new rows"]
    print("\nratios (same run)")
    print(f"  ours / COPY, {args.rows:,} rows: {ours_full / copy_best:.1f}x (bar: <= 20x)")
    print(
        f"  stock import-export / ours, {args.stock_rows:,} rows: {stock / ours_small:.1f}x "
        "(bar: >= 20x)"
    )
    print(f"  peak RSS of this process: {peak_rss_mb():.0f} MB")


def preview(count, schools, user) -> None:
    """Upload without committing (the page's flow) and time the preview page's requests."""
    import statistics
    import time

    from django.test import Client

    from portal.imports import services

    rows = make_rows(count, schools, seed=3)
    reset_teachers()
    user = bench_user(user.region)
    results: dict[str, float] = {}
    with timed(f"check of {count:,} rows with the preview stored", results):
        job = services.import_job_create(
            user=user, kind="roster", file_name="roster.csv", data=csv_bytes(rows)
        )
    job.refresh_from_db()
    assert job.status == "preview" and job.total_rows == count
    client = Client()
    client.force_login(user)
    for label, query in [("first page", ""), ("page 1000", "?action=new&page=1000")]:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            response = client.get(f"/imports/{job.pk}/{query}", HTTP_HOST="127.0.0.1")
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        print(f"  preview {label}: median {statistics.median(times) * 1000:.0f} ms")


def xlsx_memory(count, schools, user) -> None:
    from openpyxl import Workbook

    rows = make_rows(count, schools, seed=2)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("教师名单")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    del workbook, buffer, rows
    reset_teachers()
    before = peak_rss_mb()
    results: dict[str, float] = {}
    with timed(f"ours: {count:,}-row xlsx ({len(data) / 1e6:.1f} MB), check + import", results):
        job = ours(data, user, name="roster.xlsx")
    assert job.status == "done", job.file_errors
    print(f"  peak RSS: {peak_rss_mb():.0f} MB (before the import: {before:.0f} MB; bar: < 500 MB)")


if __name__ == "__main__":
    sys.exit(main())
