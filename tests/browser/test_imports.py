"""A school administrator uploads a roster with errors, downloads the error workbook, corrects
the file and uploads it again, in headless Chromium."""

import io

import openpyxl
import pytest

from portal.models import Teacher

from .. import factories
from .. import import_files as files
from .test_dashboards import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_with_errors_then_corrected(page, live_server, world, tmp_path):
    code = world.school.code
    good = [
        [
            code,
            "李明",
            factories.id_number(),
            "小学",
            "语文",
            "在编",
            "是",
            "一级教师",
            "2012-09-01",
        ],
        [code, "吴静", factories.id_number(), "小学", "英语", "在编", "是", "未定级", "2024-09-01"],
    ]
    bad_row = [
        code,
        "周芳",
        "1.1010519491231e+17",
        "小学",
        "数学",
        "非编",
        "否",
        "二级教师",
        "2018-09-01",
    ]
    path = tmp_path / "名单.xlsx"
    path.write_bytes(files.xlsx_bytes([good[0], bad_row, good[1]]))

    log_in(page, live_server, "school")
    page.click("text=名单导入")
    page.set_input_files("#id_file", str(path))
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("[data-error-workbook]")
    assert page.locator("[data-count=refused]").inner_text() == "1"
    assert "科学计数法" in page.locator("table.preview").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-refused.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("[data-error-workbook]")
    workbook = openpyxl.load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[0] == "原行号" and header[-1] == "错误说明"
    marked = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[-1]]
    assert len(marked) == 1 and "身份证号" in marked[0][-1]
    assert Teacher.objects.filter(name="李明").count() == 0  # nothing written

    bad_row[2] = factories.id_number()
    path.write_bytes(files.xlsx_bytes([good[0], bad_row, good[1]]))
    page.click("text=名单导入")
    page.set_input_files("#id_file", str(path))
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("[data-confirm]")
    assert page.locator("[data-count=new]").inner_text() == "3"
    page.click("[data-confirm]")
    page.wait_for_selector(".ok-text")
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)
    assert Teacher.objects.filter(name__in=["李明", "周芳", "吴静"]).count() == 3
