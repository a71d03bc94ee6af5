"""One calendar (issue 18): every count «за год» is a school year — 1 September to 31 August — so the partnerships
summary, the dashboard and the yearly report say the same for one municipality and one year. Before, the summary
counted the calendar year: on one day it said 2 agreements and 66.7 % participation where the dashboard said 0 and
100 %."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from monitoring.figures import FIGURES
from monitoring.yearly_report import report_write
from partnerships.models import Agreement, EventInvitation, MethodicalEvent
from schools.models import School, Status
from schools.school_year import school_year_period
from schools.selectors import list_year_for
from tests.seeding import seed_or_replay

from .test_dashboards import figures_in

pytestmark = pytest.mark.django_db

COMPARED = ("agreements_signed", "events_took_part", "events_share", "plan_share", "tutor_share")


@pytest.fixture
def yr(mon):
    from partnerships.demo import seed_partnerships

    seed_or_replay(seed_partnerships)
    return mon


def _summary(client, municipality, year) -> dict:
    rows = client.get(reverse("partnerships:summary"), {"year": year}).context["page"].object_list
    row = next(r for r in rows if r["municipality"] == municipality)
    return {
        "agreements_signed": row["signed"], "events_took_part": row["events_took_part"],
        "events_share": row["events_share"], "plan_share": row["plan_share"], "tutor_share": row["tutor_share"],
    }  # fmt: skip


def _dashboard(client, municipality, year) -> dict:
    html = client.get(reverse("monitoring:dashboard_municipality", args=[municipality.pk]), {"year": year})
    shown = figures_in(html.content.decode(), municipality=str(municipality.pk))
    return {key: (float(shown[key][1]) if "share" in key else int(shown[key][1])) if shown[key][1] else None
            for key in COMPARED}  # fmt: skip


def _report(user, municipality, year) -> dict:
    buffer = io.BytesIO()
    report_write(buffer, user=user, year=year)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["По муниципалитетам"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == municipality.name)
    keys = [f.key for f in FIGURES]
    values = {key: row[1 + keys.index(key)] for key in COMPARED}
    # shares are written as fractions in a percent format: 66.7 % is 0.667
    return {key: round(float(v) * 100, 1) if "share" in key and v is not None else v for key, v in values.items()}


def _all_three(client, user, municipality, year) -> list[dict]:
    client.force_login(user)
    return [_summary(client, municipality, year), _dashboard(client, municipality, year), _report(user, municipality, year)]


def _agreement(curator, supported, day: datetime.date) -> Agreement:
    return Agreement.objects.create(
        number=f"К-{day:%m%d}", signed_on=day, starts_on=day, ends_on=day + datetime.timedelta(days=364),
        curator_school=curator, supported_school=supported, subject="Сотрудничество", status=Agreement.Status.ACTIVE,
    )  # fmt: skip


def _event(municipality, school, day: datetime.date) -> None:
    event = MethodicalEvent.objects.create(
        title=f"Семинар {day:%d.%m.%Y}", format=MethodicalEvent.Format.SEMINAR, held_on=day,
        municipality=municipality, organiser="Управление образования",
    )  # fmt: skip
    EventInvitation.objects.create(event=event, school=school, attended=True)


def test_summary_dashboard_and_report_count_the_same_school_year(client, yr):
    department, a, year = yr.users["department"], yr.municipality_a, yr.year
    start, _end = school_year_period(year)
    curator = School.objects.get(short_name="Гимназия г. Заречный")
    # a ШНОР of municipality A that took part in nothing this school year (the demo's seminar invited them all)
    newcomer = School.objects.filter(
        year_statuses__year=list_year_for(year), year_statuses__status__in=[Status.SHNOR, Status.BOTH], municipality=a
    ).order_by("pk").first()
    EventInvitation.objects.filter(school=newcomer, event__held_on__gte=start).update(attended=False)
    before = _all_three(client, department, a, year)
    assert before[0] == before[1] == before[2]

    # 31 August belongs to the school year ending then, 1 September to the next one — in all three
    _agreement(curator, newcomer, start - datetime.timedelta(days=1))
    _event(a, newcomer, start - datetime.timedelta(days=1))
    after_august = _all_three(client, department, a, year)
    assert after_august[0] == after_august[1] == after_august[2] == before[0]

    _agreement(curator, newcomer, start)
    _event(a, newcomer, start)
    summary, dashboard, report = _all_three(client, department, a, year)
    assert summary == dashboard == report
    assert summary["agreements_signed"] == before[0]["agreements_signed"] + 1
    assert summary["events_took_part"] == before[0]["events_took_part"] + 1

    # the year before holds the agreement of 31 August, and the three agree on it too
    last = _all_three(client, department, a, year - 1)
    assert last[0] == last[1] == last[2]
    assert last[0]["agreements_signed"] >= 1


def test_the_summary_page_chooses_school_years_and_names_them(client, yr):
    client.force_login(yr.users["coordinator"])
    html = client.get(reverse("partnerships:summary"), {"year": yr.year}).content.decode()
    label = f"{yr.year - 1}/{str(yr.year)[-2:]}"
    assert f"сводка за {label} учебный год" in html
    assert f'<option value="{yr.year}" selected>{label}</option>' in html
    assert f"за {yr.year} год" not in html
