"""Mixed journeys of every demo role through the portal, for load/run.sh (`make load`).

Each simulated user logs in once through the real login form with the right password (so django-axes, which only
counts failures, never locks anyone out), then keeps opening what that role opens in a day: the home page, the
registry and a school page, programmes, agreements and sessions, monitoring and indicators, notifications.
Detail pages are taken from the links the user's own lists offer, so a journey never asks for what the role may not
see; any answer other than 200, or a bounce to the login page, counts as an error.
"""

import json
import os
import random
import re
from pathlib import Path

from authenticator import second_factor
from locust import HttpUser, between, events, task
from locust.stats import StatsEntry

PASSWORD = os.environ.get("DEMO_PASSWORD", "demo12345")
WAIT_MIN = float(os.environ.get("LOAD_WAIT_MIN", "0.5"))
WAIT_MAX = float(os.environ.get("LOAD_WAIT_MAX", "2"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# username → the key of the authenticator app load/run.sh enrolled for those who need a second factor (a department)
TOTP_KEYS = json.loads(Path(os.environ["LOAD_TOTP_KEYS"]).read_text()) if os.environ.get("LOAD_TOTP_KEYS") else {}

# (pattern of a detail link, the list page it is found on, the name it is reported under)
DETAILS = [
    (re.compile(r'href="(/schools/\d+/)"'), "/schools/", "/schools/<id>/"),
    (re.compile(r'href="(/programs/\d+/)"'), "/programs/", "/programs/<id>/"),
    (re.compile(r'href="(/monitoring/indicators/\d+/)"'), "/monitoring/indicators/", "/monitoring/indicators/<id>/"),
    (re.compile(r'href="(/monitoring/schools/\d+/)"'), "/monitoring/", "/monitoring/schools/<id>/"),
    (
        re.compile(r'href="(/partnerships/agreements/\d+/)"'),
        "/partnerships/agreements/",
        "/partnerships/agreements/<id>/",
    ),
]

# Lists every role opens, and those only some roles are offered (the portal answers 403 to the others).
COMMON = ["/", "/schools/", "/programs/", "/monitoring/", "/monitoring/indicators/", "/notifications/",
          "/partnerships/practices/", "/partnerships/events/"]  # fmt: skip
ROLE_PAGES = {
    "department": ["/schools/identification/", "/partnerships/agreements/", "/partnerships/sessions/",
                   "/partnerships/summary/", "/partnerships/teachers/", "/partnerships/coverage/",
                   "/monitoring/queue/", "/monitoring/self-assessments/", "/notifications/municipality/"],
    "coordinator": ["/partnerships/agreements/", "/partnerships/sessions/", "/partnerships/summary/",
                    "/partnerships/teachers/", "/partnerships/plans/", "/partnerships/tutors/",
                    "/monitoring/queue/", "/monitoring/self-assessments/", "/notifications/municipality/"],
    "coordinator_b": ["/partnerships/agreements/", "/partnerships/summary/", "/monitoring/queue/",
                      "/notifications/municipality/"],
    "school": ["/partnerships/agreements/", "/partnerships/sessions/", "/partnerships/teachers/",
               "/partnerships/plans/", "/monitoring/self-assessments/"],
    "curator": ["/partnerships/agreements/", "/partnerships/sessions/"],
    "tutor": ["/partnerships/teachers/", "/partnerships/plans/", "/partnerships/tutors/", "/partnerships/coverage/"],
}  # fmt: skip


class PortalUser(HttpUser):
    abstract = True
    username = ""
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self):
        self.client.headers["Accept-Language"] = "ru"
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "next": "/",
                "csrfmiddlewaretoken": token and token.group(1),
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ [POST]",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"{self.username}: вход не удался ({response.status_code})")
            elif "/2fa/" in response.url:
                if self.username in TOTP_KEYS:
                    second_factor(self, response, TOTP_KEYS[self.username], name="/accounts/login/ [2FA]")
                else:
                    response.failure(f"{self.username}: нужен второй фактор, а ключа приложения нет (LOAD_TOTP_KEYS)")
        self.pages = COMMON + ROLE_PAGES[self.username]
        self.details = {}
        for pattern, list_url, name in DETAILS:
            if list_url in self.pages:
                text = self._get(list_url).text
                self.details[name] = sorted(set(pattern.findall(text)))

    def _get(self, url, name=None):
        with self.client.get(url, name=name or url, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{self.username} {url}: HTTP {response.status_code}")
            elif "/accounts/login/" in response.url or "/2fa/" in response.url:
                response.failure(f"{self.username} {url}: выкинуло на вход ({response.url})")
            return response

    @task(3)
    def home(self):
        self._get("/")

    @task(6)
    def a_list(self):
        self._get(random.choice(self.pages))

    @task(6)
    def a_detail(self):
        choices = [(name, urls) for name, urls in self.details.items() if urls]
        if choices:
            name, urls = random.choice(choices)
            self._get(random.choice(urls), name=name)

    @task(2)
    def registry_search(self):
        self._get(f"/schools/?q={random.choice(['СОШ', 'школа', 'Заречн', 'гимназия', '1'])}", name="/schools/?q=…")

    @task(1)
    def notifications(self):
        self._get("/notifications/")


class Department(PortalUser):
    username = "department"
    weight = 2


class Coordinator(PortalUser):
    username = "coordinator"
    weight = 3


class CoordinatorB(PortalUser):
    username = "coordinator_b"
    weight = 1


class SchoolTeam(PortalUser):
    username = "school"
    weight = 4


class Curator(PortalUser):
    username = "curator"
    weight = 2


class Tutor(PortalUser):
    username = "tutor"
    weight = 2


def _line(label: str, entry: StatsEntry) -> str:
    p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99))
    return (
        f"{label:<34} {entry.num_requests:>8} {entry.total_rps:>8.1f} {entry.num_failures:>6} "
        f"{p50:>6.0f} {p95:>6.0f} {p99:>6.0f} {entry.max_response_time or 0:>7.0f}"
    )


@events.quitting.add_listener
def report(environment, **_kwargs):
    """The figures of the run: all requests, page views without the logins (a login is one slow password hash by
    design, once per session), then each page. Written to LOAD_REPORT; the exit status is 1 on any error."""
    stats = environment.stats
    pages = StatsEntry(stats, "pages", "", use_response_times_cache=False)
    for entry in stats.entries.values():
        if not entry.name.startswith("/accounts/login/"):
            pages.extend(entry)
    header = f"{'':<34} {'requests':>8} {'req/s':>8} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}  (ms)"
    lines = [
        f"setup: {os.environ.get('LOAD_SETUP', '')}",
        header,
        _line("ALL (logins included)", stats.total),
        _line("PAGES (logins excluded)", pages),
        "",
    ]
    lines += [_line(entry.name[:34], entry) for entry in sorted(stats.entries.values(), key=lambda e: -e.num_requests)]
    lines += [
        f"ERROR x{error.occurrences}: {error.method} {error.name}: {error.error}" for error in stats.errors.values()
    ]
    lines.append(f"errors: {stats.total.num_failures}")
    text = "\n".join(lines) + "\n"
    print(text)
    if os.environ.get("LOAD_REPORT"):
        Path(os.environ["LOAD_REPORT"]).write_text(text, encoding="utf-8")
    environment.process_exit_code = 1 if stats.total.num_failures else 0
