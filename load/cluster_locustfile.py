"""The mix of the cluster rehearsal, for load/cluster.sh (`make load-cluster`), through the real forms with CSRF.

Who does what (people from CLUSTER_FIXTURE, written by `load/cluster_db.py prepare` from the generated data):

* school teams (supported schools of agreements in force) save roadmap measures of their programme (the
  measure's form, a note changed), upload their self-assessment (the filled template: upload, preview, confirm)
  and confirm the sessions their curator logged during the run;
* curators (the curator school of the same agreement) log support sessions;
* coordinators confirm the indicator values waiting in their queue, a few at a time;
* departments read their dashboard and start yearly reports of their region.

Every accepted write is counted by kind; at the end the counts, the started reports and the writes cut in flight go
to CLUSTER_ACCEPTED for `load/cluster_db.py check`, and the table of the run (load/cluster_report.py) is printed and
written to LOAD_REPORT.
"""

import itertools
import json
import os
import random
import re
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

from authenticator import second_factor
from cluster_forms import form_with
from cluster_report import KIND_OF, record_request, reset_records, write_report
from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("DEMO_PASSWORD", "demo12345")
FIXTURE = json.loads(Path(os.environ.get("CLUSTER_FIXTURE", "fixture.json")).read_text(encoding="utf-8"))
WAIT = between(float(os.environ.get("LOAD_WAIT_MIN", "2")), float(os.environ.get("LOAD_WAIT_MAX", "6")))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
AS_OF = re.compile(r'data-figures-as-of="([^"]+)"')
CONFIRMED = re.compile(r"Подтверждено значений: (\d+)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ACCEPTED: Counter = Counter()
REPORT_IDS: list[int] = []
PENDING: dict[int, list[int]] = defaultdict(list)  # school → sessions logged during the run, not yet confirmed
LAG: dict = {"max": None, "pages": 0, "stamped": 0}
LOGGED_IN = {"n": 0}
_turns = defaultdict(itertools.count)


def _next(role: str, people: list):
    return people[next(_turns[role]) % len(people)]


class Person(HttpUser):
    abstract = True
    wait_time = WAIT
    username = ""
    totp_key = ""

    def on_start(self):
        self.client.headers["Accept-Language"] = "ru"
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "next": "/", "csrfmiddlewaretoken": token and token.group(1)},
            headers={"Referer": f"{self.host}/accounts/login/"}, name="login", catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"{self.username}: вход не удался ({response.status_code})")
            elif "/2fa/verify/" in response.url:
                second_factor(self, response, self.totp_key)
        LOGGED_IN["n"] += 1
        if LOGGED_IN["n"] == self.environment.runner.target_user_count:
            reset_records()  # the table counts from the moment everyone is in: the logins' burst is left out

    def get(self, url: str, name: str, expect: str | None = None):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{self.username} {url}: HTTP {response.status_code}")
            elif "/accounts/login/" in response.url or "/2fa/" in response.url:
                response.failure(f"{self.username} {url}: выкинуло на вход ({response.url})")
            elif expect and expect not in response.text:
                response.failure(f"{self.username} {url}: нет «{expect}» на странице")
            return response

    def post(self, url: str, data, name: str, files=None):
        """A form's POST without following the redirect: the caller judges the answer."""
        return self.client.post(
            url, data=data, files=files, name=name, allow_redirects=False, catch_response=True,
            headers={"Referer": self.host + url},
        )  # fmt: skip

    @staticmethod
    def refused(response, why: str) -> None:
        body = re.sub(r"\s+", " ", response.text or "")
        errors = re.findall(r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>(.*?)<', body)[:3]
        response.failure(f"{why}: HTTP {response.status_code} {errors}")


class SchoolTeam(Person):
    weight = 10

    def on_start(self):
        self.pair = _next("pair", FIXTURE["pairs"])
        self.username = self.pair["team"]
        self.workbook = Path(self.pair["self_assessment"]).read_bytes()
        super().on_start()

    @task(6)
    def save_measure(self):
        pk = random.choice(self.pair["measures"])
        url = f"/programs/measures/{pk}/edit/"
        page = self.get(url, "measure form")
        form = page.ok and form_with(page.text, field_name="note")
        if not form:
            return
        note = f"Нагрузочный прогон: сохранено в {datetime.now():%H:%M:%S}"
        with self.post(url, form.data(note=note), "measure save") as saved:
            if saved.status_code == 302:
                ACCEPTED["measure_save"] += 1
                saved.success()
            else:
                self.refused(saved, "мероприятие не сохранено")
                return
        self.get(saved.headers["Location"].split("#")[0], "programme page")

    @task(1)
    def upload_self_assessment(self):
        pair = self.pair
        url = f"/monitoring/schools/{pair['school']}/self-assessment/{pair['year']}/{pair['stage']}/upload/"
        page = self.get(url, "self-assessment form")
        form = page.ok and form_with(page.text, field_name="csrfmiddlewaretoken")
        if not form:
            return
        files = {"file": ("самооценка.xlsx", self.workbook, XLSX)}
        with self.post(url, form.data(), "self-assessment upload", files=files) as sent:
            if sent.status_code != 302 or "/preview/" not in sent.headers.get("Location", ""):
                return self.refused(sent, "файл не принят")
        preview = self.get("/monitoring/self-assessments/preview/", "self-assessment preview", "Подтвердить")
        form = preview.ok and form_with(preview.text, field_name="csrfmiddlewaretoken")
        if not form:
            return
        with self.post("/monitoring/self-assessments/preview/", form.data(), "self-assessment confirm") as done:
            if done.status_code == 302 and re.search(r"/self-assessments/\d+/$", done.headers.get("Location", "")):
                ACCEPTED["self_assessment"] += 1
                done.success()
            else:
                self.refused(done, "самооценка не сохранена")

    @task(3)
    def confirm_session(self):
        waiting = PENDING.get(self.pair["school"])
        if not waiting:
            self.get("/partnerships/sessions/", "sessions list")
            return
        pk = waiting.pop(0)
        page = self.get(f"/partnerships/sessions/{pk}/", "session page")
        form = page.ok and form_with(page.text, action=f"/sessions/{pk}/confirm/")
        if not form:
            return
        with self.post(f"/partnerships/sessions/{pk}/confirm/", form.data(), "session confirm") as sent:
            if sent.status_code != 302:
                return self.refused(sent, "занятие не подтверждено")
            sent.success()
        after = self.get(sent.headers["Location"], "session page")
        if "подтверждено." in after.text:
            ACCEPTED["session_confirm"] += 1
        elif after.ok:
            after.failure(f"занятие {pk} не подтверждено: нет сообщения")

    @task(2)
    def home(self):
        self.get("/", "home")


class Curator(Person):
    weight = 4

    def on_start(self):
        self.pair = _next("curator", FIXTURE["pairs"])
        self.username = self.pair["curator"]
        super().on_start()

    @task(2)
    def log_session(self):
        url = f"/partnerships/agreements/{self.pair['agreement']}/sessions/new/"
        page = self.get(url, "session form")
        form = page.ok and form_with(page.text, field_name="topic")
        if not form:
            return
        formats = [value for value in form.options.get("format", []) if value]
        data = form.data(
            held_on=f"{datetime.now():%Y-%m-%d}", format=random.choice(formats), topic="Разбор урока (нагрузка)",
            plan_item="", risk_factor="", teachers_count=random.randint(2, 9), managers_count=1, hours="2",
            outcome="Даны рекомендации по уроку; согласованы следующие шаги.",
        )  # fmt: skip
        with self.post(url, data, "session log") as sent:
            match = re.search(r"/partnerships/sessions/(\d+)/$", sent.headers.get("Location", ""))
            if sent.status_code == 302 and match:
                ACCEPTED["session_log"] += 1
                PENDING[self.pair["school"]].append(int(match.group(1)))
                sent.success()
            else:
                self.refused(sent, "занятие не записано")

    @task(1)
    def agreement(self):
        self.get(f"/partnerships/agreements/{self.pair['agreement']}/", "agreement page")


class Coordinator(Person):
    weight = 4

    def on_start(self):
        self.username = _next("coordinator", FIXTURE["coordinators"])
        super().on_start()
        self.queue = None

    @task(3)
    def confirm_values(self):
        page = self.queue or self.get("/monitoring/queue/", "value queue")
        self.queue = None
        ids = re.findall(r'name="ids" value="(\d+)"', page.text or "")
        form = page.ok and form_with(page.text, field_name="comment")
        if not (ids and form):
            return
        chosen = random.sample(ids, min(3, len(ids)))
        data = form.data(action="confirm") + [("ids", pk) for pk in chosen]
        with self.post("/monitoring/queue/", data, "value confirm") as sent:
            if sent.status_code != 302:
                return self.refused(sent, "значения не подтверждены")
            sent.success()
        self.queue = after = self.get(sent.headers["Location"], "value queue")
        done = CONFIRMED.search(after.text or "")
        if done:
            ACCEPTED["value_confirm"] += int(done.group(1))
        elif after.ok:
            after.failure("нет сообщения «Подтверждено значений»")

    @task(1)
    def monitoring(self):
        self.get("/monitoring/", "monitoring page")


class Department(Person):
    # One locust user per department at most: two sessions of one person could not both log in within one
    # 30-second step of the authenticator's code.
    fixed_count = min(int(os.environ.get("CLUSTER_DEPARTMENT_USERS", "4")), len(FIXTURE["departments"]))

    def on_start(self):
        person = _next("department", FIXTURE["departments"])
        self.username, self.totp_key = person["username"], person["totp_key"]
        super().on_start()

    @task(6)
    def dashboard(self):
        page = self.get("/monitoring/dashboard/", "dashboard")
        if not page.ok:
            return
        LAG["pages"] += 1
        stamp = AS_OF.search(page.text)
        if stamp:
            lag = time.time() - datetime.fromisoformat(stamp.group(1)).timestamp()
            LAG["stamped"] += 1
            LAG["max"] = lag if LAG["max"] is None else max(LAG["max"], lag)

    @task(1)
    def start_report(self):
        page = self.get("/monitoring/report/", "report form")
        form = page.ok and form_with(page.text, field_name="year")
        if not form:
            return
        with self.post("/monitoring/report/", form.data(), "report start") as sent:
            match = re.search(r"/monitoring/report/(\d+)/$", sent.headers.get("Location", ""))
            if sent.status_code == 302 and match:
                ACCEPTED["report_start"] += 1
                REPORT_IDS.append(int(match.group(1)))
                sent.success()
            else:
                return self.refused(sent, "отчёт не запущен")
        self.get(sent.headers["Location"], "report page")


@events.request.add_listener
def _request(request_type, name, response_time, response_length, response=None, exception=None, **_kwargs):
    record_request(name, response_time, response, exception)


@events.quitting.add_listener
def _quitting(environment, **_kwargs):
    cut = write_report(environment, lag=LAG)
    accepted = {"accepted": dict(ACCEPTED), "report_ids": REPORT_IDS,
                "cut": {KIND_OF[name]: n for name, n in cut.items() if name in KIND_OF}}  # fmt: skip
    if os.environ.get("CLUSTER_ACCEPTED"):
        Path(os.environ["CLUSTER_ACCEPTED"]).write_text(json.dumps(accepted), encoding="utf-8")
