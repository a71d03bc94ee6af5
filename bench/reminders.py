"""Benchmark: the daily reminders and their e-mail over N schools (default 40,000) on PostgreSQL.

    make bench-reminders                 # 40,000 schools on a throwaway PostgreSQL
    SCHOOLS=2000 make bench-reminders

Every school has a school team (with an e-mail address) and a programme of 10 measures with deadlines spread over
the year around today; a quarter of the schools have a municipal review that waits 3–12 days. Prints, per step,
the time, the queries and what was stored or sent. Not a test (timings on a shared machine are noisy).
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shnor_portal.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ["NOTIFICATIONS_EMAIL_AT_ONCE"] = "0"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from notifications import kinds, recipients  # noqa: E402
from notifications.emails import emails_send  # noqa: E402
from notifications.models import Notification  # noqa: E402
from notifications.reminders import reminders_create  # noqa: E402
from notifications.services import notify  # noqa: E402
from programs.models import Programme, Review, RoadmapMeasure, RoadmapSection  # noqa: E402
from schools.models import Municipality, Region, RoleAssignment, School  # noqa: E402

MEASURES = 10


def populate(n_schools: int) -> None:
    rng = random.Random(1)
    today = timezone.localdate()
    region = Region.objects.create(name="Бенчмарк")
    municipalities = Municipality.objects.bulk_create(
        Municipality(region=region, name=f"Муниципалитет {i}") for i in range(max(1, n_schools // 60))
    )
    schools = School.objects.bulk_create(
        (School(municipality=municipalities[i % len(municipalities)], short_name=f"Школа {i}", name=f"Школа № {i}")
         for i in range(n_schools)),
        batch_size=5000,
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        (User(username=f"team{i}", email=f"team{i}@bench.local", last_name="Команда", first_name=f"{i}")
         for i in range(n_schools)),
        batch_size=5000,
    )
    coordinators = User.objects.bulk_create(
        User(username=f"coord{i}", email=f"coord{i}@bench.local") for i in range(len(municipalities))
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role="school_team", school=s) for u, s in zip(users, schools, strict=True)]
        + [RoleAssignment(user=u, role="coordinator", municipality=m) for u, m in zip(coordinators, municipalities, strict=True)],
        batch_size=5000,
    )
    programmes = Programme.objects.bulk_create(
        (Programme(kind="transition", title=f"Программа школы {s.pk}", municipality_id=s.municipality_id, school=s,
                   period_start=today.year - 1, period_end=today.year + 1, goal="Цель", state="accepted")
         for s in schools),
        batch_size=5000,
    )
    sections = RoadmapSection.objects.bulk_create(
        (RoadmapSection(programme=p, position=1, title="Задача") for p in programmes), batch_size=5000
    )
    RoadmapMeasure.objects.bulk_create(
        (
            RoadmapMeasure(
                programme=p, section=section, position=k + 1, name=f"Мероприятие {k + 1}",
                deadline=today + datetime.timedelta(days=rng.randint(-180, 180)),
                status=rng.choice(["planned", "in_progress", "done", "done"]),
            )
            for p, section in zip(programmes, sections, strict=True)
            for k in range(MEASURES)
        ),
        batch_size=10000,
    )
    reviews = Review.objects.bulk_create(
        (Review(programme=p, round=1, kind="municipal") for p in programmes[::4]), batch_size=5000
    )
    for review in reviews:
        review.created_at = timezone.now() - datetime.timedelta(days=rng.randint(3, 12))
    Review.objects.bulk_update(reviews, ["created_at"], batch_size=5000)


def measure(label, function):
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    print(f"{label:<58} {elapsed:7.2f} s  {len(queries):5d} запросов  {result}")
    return result


def main() -> None:
    n = int(os.environ.get("SCHOOLS", "40000"))
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    populate(n)
    print(f"Данные: {n} школ, {n * MEASURES} мероприятий — {time.perf_counter() - started:.0f} с")
    print(f"База: {connection.vendor}")
    today = timezone.localdate()
    measure("send_reminders: расчёт, первый запуск дня", lambda: reminders_create(today=today))
    measure("send_reminders: расчёт, второй запуск того же дня", lambda: reminders_create(today=today))
    measure("письма, ждущие отправки (одно соединение)", emails_send)
    print(f"  писем в locmem: {len(mail.outbox)}")
    mail.outbox.clear()
    tomorrow = today + datetime.timedelta(days=1)
    measure("send_reminders: расчёт, следующий день", lambda: reminders_create(today=tomorrow))
    measure("письма следующего дня", emails_send)
    measure(
        "notify: всем командам школ (как утверждение перечня)",
        lambda: notify(kind=kinds.LIST_APPROVED, recipients=recipients.school_team_of(School.objects.values("pk")),
                       target=Region.objects.get(name="Бенчмарк"), title="Утверждён перечень"),
    )
    print(f"Уведомлений всего: {Notification.objects.count()}")


if __name__ == "__main__":
    main()
