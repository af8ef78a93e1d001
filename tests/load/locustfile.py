"""The load test's mix, for Locust (started by tests/load/run.py, which prepares the people in a JSON file
named by MATTRAN_LOAD_PEOPLE: tokens, units, household ids, the seeded petitions' count).

Every request is named by its route template (ids and codes left out) so the statistics are per route.
Users send their next request as soon as the previous one is answered (plus MATTRAN_LOAD_THINK seconds,
0 by default): the mix finds the server's sustained capacity rather than a fixed arrival rate.

Who does what (user weights and task weights are justified in docs/benchmarks.md, "Load test (issue 10)"):
- area cadres: pull their area's changes by cursor, push small batches (visits, a household edit, fresh
  client ids), search and open households, search the library;
- citizens (no account): file petitions, track them and older ones by code, search the library;
- commune officers: the petitions inbox, statistics, household search and detail, the congress dashboard;
- province officers: the inbox, statistics and congress dashboard of their province.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from locust import FastHttpUser, between, constant, task

PEOPLE: dict[str, Any] = json.loads(open(os.environ["MATTRAN_LOAD_PEOPLE"], encoding="utf-8").read())  # noqa: SIM115
THINK = float(os.environ.get("MATTRAN_LOAD_THINK", "0"))
WAIT = constant(0) if THINK == 0 else between(THINK / 2, THINK * 1.5)

# What cadres and officers type into the household search (as in tests/bench/test_registry_search_bench.py).
HOUSEHOLD_SEARCHES = (
    "nguyen van an", "tran thi", "dang", "le minh", "pham thi lan", "hoang", "vu duc hung", "do thi mai",
    "ngo quang son", "bui", "huynh ngoc", "phan", "0912", "0987", "12 hung vuong", "le thi hoa", "tran phu",
)  # fmt: skip
LIBRARY_SEARCHES = (
    "thủ tục hòa giải ở cơ sở", "giám sát phản biện xã hội", "quyền khiếu nại", "bầu cử đại biểu", "hộ nghèo",
    "mặt trận tổ quốc", "luật đất đai", "an sinh xã hội", "tiếp công dân", "ban công tác mặt trận",
)  # fmt: skip
OPEN_STATES = ("received", "classified", "assigned", "forwarded")
PETITION_TITLES = ("Đèn đường hỏng", "Rác thải đổ trộm", "Ổ gà trên đường", "Cống thoát nước tắc", "Tiếng ồn ban đêm")


def last(days: int) -> dict[str, str]:
    """since/until of the statistics: the last days up to today."""
    today = date.today()
    return {"since": (today - timedelta(days=days)).isoformat(), "until": today.isoformat()}


def _take(role: str) -> dict[str, Any]:
    """The next person of a role, round robin: each simulated user acts as one of them."""
    people = PEOPLE[role]
    PEOPLE[f"_{role}_next"] = turn = PEOPLE.get(f"_{role}_next", -1) + 1
    return dict(people[turn % len(people)])


class _Staff(FastHttpUser):
    abstract = True
    wait_time = WAIT
    person: dict[str, Any]

    def get(self, path: str, name: str, **params: Any) -> None:
        headers = {"Authorization": f"Bearer {self.person['token']}"}
        self.client.get(path, params=params or None, headers=headers, name=name)

    def household_search(self) -> None:
        self.get("/api/v1/households", "GET /api/v1/households?q", q=random.choice(HOUSEHOLD_SEARCHES))

    def household_detail(self) -> None:
        household = random.choice(self.person["households"])
        self.get(f"/api/v1/households/{household}", "GET /api/v1/households/{id}")


class AreaCadre(_Staff):
    weight = 10

    def on_start(self) -> None:
        self.person = _take("cadres")
        self.device = f"load-{uuid.uuid4().hex[:12]}"
        self.versions: dict[str, int] = {}
        # A device that already holds its area: it pulled everything before (the runner made the cursor).
        self.cursor: str = self.person["cursor"]

    def sync(self, operations: list[dict[str, Any]], name: str) -> Any:
        body = {"device_id": self.device, "operations": operations, "pull": True, "pull_cursor": self.cursor}
        headers = {"Authorization": f"Bearer {self.person['token']}"}
        with self.client.post("/api/v1/sync", json=body, headers=headers, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")
                return None
            data = answer.json()
            if any(result["status"] == "rejected" for result in data["results"]):
                answer.failure("an operation was rejected")
            self.cursor = data["cursor"] or self.cursor
            # As a device does: the versions it holds follow the changes pulled (edits of earlier runs too).
            for change in data["changes"]:
                if change["entity"] == "household":
                    self.versions[change["entity_id"]] = change["version"]
            return data

    @task(6)
    def pull(self) -> None:
        self.sync([], "POST /api/v1/sync (pull by cursor)")

    @task(2)
    def push(self) -> None:
        """Two visits recorded offline and one household edit, as a device sends them when back online."""
        now = datetime.now(UTC).isoformat()
        households = self.person["households"]
        operations = [
            {
                "op_id": str(uuid.uuid4()),
                "entity": "visit",
                "action": "create",
                "entity_id": str(uuid.uuid4()),
                "fields": {
                    "household_id": random.choice(households),
                    "visited_on": date.today().isoformat(),
                    "purpose": "Thăm hỏi, nắm tình hình đời sống",
                    "needs": "Cần hỗ trợ sửa nhà" if random.random() < 0.3 else "",
                },
                "at": now,
            }
            for _ in range(2)
        ]
        edited = random.choice(households)
        operations.append(
            {
                "op_id": str(uuid.uuid4()),
                "entity": "household",
                "action": "update",
                "entity_id": edited,
                "base_version": self.versions.get(edited, self.person["versions"][edited]),
                "fields": {"notes": f"Cập nhật khi thăm hộ {random.randrange(1000)}"},
                "at": now,
            }
        )
        data = self.sync(operations, "POST /api/v1/sync (push 3 operations)")
        if data:
            for result in data["results"]:
                if result["entity"] == "household" and result.get("version"):
                    self.versions[result["entity_id"]] = result["version"]

    @task(3)
    def search(self) -> None:
        self.household_search()

    @task(3)
    def detail(self) -> None:
        self.household_detail()

    @task(1)
    def library(self) -> None:
        self.get("/api/v1/library/search", "GET /api/v1/library/search?q", q=random.choice(LIBRARY_SEARCHES))


class Citizen(FastHttpUser):
    weight = 6
    wait_time = WAIT

    def on_start(self) -> None:
        self.communes: list[str] = PEOPLE["communes"]
        self.codes: list[str] = []

    @task(1)
    def file(self) -> None:
        title = random.choice(PETITION_TITLES)
        body = {
            "id": str(uuid.uuid4()),
            "title": title,
            "description": f"{title} ở gần nhà văn hóa khu dân cư, đã nhiều ngày chưa được xử lý.",
            "unit_code": random.choice(self.communes),
            "contact_phone": f"09{random.randrange(10**8):08d}",
        }
        with self.client.post("/api/v1/petitions", json=body, name="POST /api/v1/petitions", catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"status {r.status_code}")
                return
            self.codes.append(r.json()["tracking_code"])

    @task(3)
    def track(self) -> None:
        # Mostly their own petitions, sometimes one of the million filed before.
        if self.codes and random.random() < 0.5:
            code = random.choice(self.codes)
        else:
            number = random.randrange(PEOPLE["petitions"])
            code = f"KN-BENCH-{number // 100_000:05d}-{number % 100_000:05d}"  # support.petition_data.tracking_code
        self.client.get(f"/api/v1/petitions/track/{code}", name="GET /api/v1/petitions/track/{code}")

    @task(1)
    def library(self) -> None:
        params = {"q": random.choice(LIBRARY_SEARCHES)}
        self.client.get("/api/v1/library/search", params=params, name="GET /api/v1/library/search?q")


class CommuneOfficer(_Staff):
    weight = 4

    def on_start(self) -> None:
        self.person = _take("commune_officers")

    @task(5)
    def inbox(self) -> None:
        self.get("/api/v1/petitions", "GET /api/v1/petitions (inbox)", state=random.choice(OPEN_STATES), limit=20)

    @task(1)
    def statistics(self) -> None:
        self.get("/api/v1/petitions/stats", "GET /api/v1/petitions/stats", unit=self.person["unit"], **last(30))

    @task(1)
    def congress(self) -> None:
        self.get("/api/v1/congress-dashboard", "GET /api/v1/congress-dashboard", unit=self.person["unit"])

    @task(2)
    def search(self) -> None:
        self.household_search()

    @task(2)
    def detail(self) -> None:
        self.household_detail()


class ProvinceOfficer(_Staff):
    weight = 1

    def on_start(self) -> None:
        self.person = _take("province_officers")

    @task(3)
    def inbox(self) -> None:
        self.get("/api/v1/petitions", "GET /api/v1/petitions (inbox)", state=random.choice(OPEN_STATES), limit=20)

    @task(2)
    def statistics(self) -> None:
        self.get("/api/v1/petitions/stats", "GET /api/v1/petitions/stats", unit=self.person["unit"], **last(90))

    @task(2)
    def congress(self) -> None:
        self.get("/api/v1/congress-dashboard", "GET /api/v1/congress-dashboard", unit=self.person["unit"])
