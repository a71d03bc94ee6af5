"""A school's survey under load, for load/survey.sh (`make load-survey`).

Parents (most of the users) each answer the demo school's questionnaire once from a new phone: a fresh cookie jar,
their own address (X-Forwarded-For, believed from the loopback proxy), the questionnaire opened, every question
answered, the form sent; an answer counts as accepted only when the portal sends them to «Спасибо». Public readers
open the project's public pages meanwhile. The figures use load/locustfile.py's report; the number of accepted
answers is written to LOAD_ACCEPTED for the check against the rows stored.
"""

import os
import random
import re
from pathlib import Path

from locust import HttpUser, constant_pacing, events, task
from locustfile import report  # noqa: F401  (registers the figures' report)

TOKEN = os.environ.get("SURVEY_TOKEN", "")
PUBLIC_PATHS = os.environ.get("PUBLIC_PATHS", "/public/").split()
ANSWERS_PER_SECOND = float(os.environ.get("SURVEY_ANSWERS_PER_USER_PER_SECOND", "0.7"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'type="radio" name="(q\d+)" value="(\d)"')
TEXT = re.compile(r'<textarea name="(q\d+)"')
ACCEPTED = 0


def _address() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


class Parent(HttpUser):
    weight = 9
    wait_time = constant_pacing(1 / ANSWERS_PER_SECOND)

    @task
    def answer(self):
        global ACCEPTED
        self.client.cookies.clear()  # another phone
        headers = {"X-Forwarded-For": _address()}
        url = f"/surveys/a/{TOKEN}/parents/"
        page = self.client.get(url, headers=headers, name="/surveys/a/<token>/parents/ (анкета)")
        if page.status_code != 200:
            return
        html = page.text
        data = {"csrfmiddlewaretoken": CSRF.search(html).group(1), "website": ""}
        choices: dict[str, list[str]] = {}
        for name, value in RADIO.findall(html):
            choices.setdefault(name, []).append(value)
        for name, values in choices.items():
            data[name] = random.choice(values)
        for name in TEXT.findall(html):
            data[name] = random.choice(["", "Больше кружков", "Спасибо учителям"])
        with self.client.post(url, data=data, headers=headers | {"Referer": self.host + url}, allow_redirects=False,
                              name="/surveys/a/<token>/parents/ (ответ)", catch_response=True) as sent:
            if sent.status_code == 302 and sent.headers.get("Location", "").endswith("/thanks/"):
                ACCEPTED += 1
                sent.success()
            else:
                sent.failure(f"ответ не принят: {sent.status_code}")


class PublicReader(HttpUser):
    weight = 1
    wait_time = constant_pacing(1)

    @task
    def read(self):
        path = random.choice(PUBLIC_PATHS)
        self.client.get(path, name=path if path.count("/") <= 3 else "/public/<страница>/")


@events.quitting.add_listener
def accepted(environment, **_kwargs):
    if os.environ.get("LOAD_ACCEPTED"):
        Path(os.environ["LOAD_ACCEPTED"]).write_text(str(ACCEPTED), encoding="utf-8")
