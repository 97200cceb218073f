"""The load test's users (run by bench/load.py, which prepares the accounts and servers):
teachers on their own pages, bureau staff on dashboards, API clients listing, and two
schools importing rosters at the same time."""

from __future__ import annotations

import json
import os
import random
import time

from locust import HttpUser, between, events, task

# A name has no digits: the upload round is spelled in Chinese numerals.
NUMERALS = str.maketrans("0123456789", "〇一二三四五六七八九")

with open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8") as handle:
    ACCOUNTS = json.load(handle)


def signed_in(user: HttpUser, session_key: str) -> None:
    user.client.cookies.set("sessionid", session_key)


class Teacher(HttpUser):
    weight = 20
    wait_time = between(1, 3)

    def on_start(self):
        signed_in(self, ACCOUNTS["teachers"].pop())

    @task(3)
    def my_record(self):
        self.client.get("/me/", name="teacher: /me/")

    @task(3)
    def my_training(self):
        self.client.get("/me/training/", name="teacher: /me/training/")


class Staff(HttpUser):
    weight = 12
    wait_time = between(1, 3)

    def on_start(self):
        self.account = ACCOUNTS["staff"].pop()
        signed_in(self, self.account["session"])

    @task(3)
    def dashboard(self):
        self.client.get("/", name="staff: dashboard")

    @task(2)
    def compliance(self):
        region = self.account["region"]
        self.client.get(f"/training/regions/{region}/", name="staff: training/regions/<id>/")

    @task(2)
    def targets(self):
        self.client.get(
            f"/talent/regions/{self.account['region']}/", name="staff: talent/regions/<id>/"
        )

    @task(1)
    def pay(self):
        self.client.get(f"/pay/regions/{self.account['region']}/", name="staff: pay/regions/<id>/")

    @task(1)
    def teachers(self):
        self.client.get("/teachers/", name="staff: teachers/")


class ApiClient(HttpUser):
    weight = 16
    wait_time = between(0.5, 2)

    def on_start(self):
        self.account = ACCOUNTS["api"].pop()
        self.client.headers["Authorization"] = f"Token {self.account['token']}"

    @task(3)
    def teachers(self):
        school = random.choice(self.account["schools"])
        self.client.get(f"/api/v1/teachers/?school={school}", name="api: teachers?school=")

    @task(2)
    def summaries(self):
        self.client.get(
            f"/api/v1/training/summaries/?region={self.account['region']}",
            name="api: training/summaries?region=",
        )

    @task(2)
    def attainment(self):
        self.client.get(
            f"/api/v1/attainment/?region={self.account['region']}", name="api: attainment?region="
        )


class Importer(HttpUser):
    """A school uploading its roster again and again (every row changed each time)."""

    fixed_count = 2
    wait_time = between(2, 4)

    def on_start(self):
        self.account = ACCOUNTS["importers"].pop()
        self.client.headers["Authorization"] = f"Token {self.account['token']}"
        self.round = 0

    @task
    def upload(self):
        self.round += 1
        rows = [
            f"{self.account['school_code']},{name}{str(self.round).translate(NUMERALS)},{number},小学,语文,在编,是,一级教师,2012-09-01"
            for name, number in self.account["rows"]
        ]
        body = (
            "学校标识码,姓名,身份证号,学段,任教学科,编制情况,是否专任教师,职称,从教起始日期\n"
            + "\n".join(rows)
        ).encode("utf-8-sig")
        start = time.perf_counter()
        response = self.client.post(
            "/api/v1/imports/",
            files={"file": ("名单.csv", body, "text/csv")},
            data={"kind": "roster", "dry_run": "false"},
            name="import: upload",
        )
        if response.status_code != 202:
            return
        job = response.json()["id"]
        while True:
            time.sleep(0.5)
            status = self.client.get(f"/api/v1/imports/{job}/", name="import: poll").json()[
                "status"
            ]
            if status not in ("queued", "validating", "importing"):
                break
        events.request.fire(
            request_type="IMPORT",
            name=f"import: {len(rows):,} rows, end to end",
            response_time=(time.perf_counter() - start) * 1000,
            response_length=0,
            exception=None if status == "done" else RuntimeError(f"import ended {status}"),
            context={},
        )
