"""Indicators the portal answers from its own data, and how a municipality's and the whole scope's fact is made.

Seed 002's matrix gives each indicator an instrument and a source; a share such as «доля педагогов с ИПРП» is the
municipality's teachers with a plan over all its teachers (pooled), not the mean of its schools' shares.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring.computed import compute
from monitoring.figures import year_figures
from monitoring.models import Indicator, IndicatorValue, Stage
from monitoring.services import computed_values_refresh
from partnerships.models import Agreement, DevelopmentPlan, Subject, Teacher
from schools.models import School

pytestmark = pytest.mark.django_db


def _teachers(school, count, *, with_plan=0, year):
    subject = Subject.objects.order_by("pk").first() or Subject.objects.create(code="math", name="Математика")
    for n in range(count):
        teacher = Teacher.objects.create(
            school=school, full_name=f"Педагог {school.pk}-{n}", subject=subject,
            experience=Teacher.Experience.choices[0][0],
        )  # fmt: skip
        if n < with_plan:
            DevelopmentPlan.objects.create(
                teacher=teacher, year=year, status=DevelopmentPlan.Status.ACTIVE,
                starts_on=datetime.date(year - 1, 9, 1), ends_on=datetime.date(year, 5, 31),
            )  # fmt: skip


@pytest.fixture
def two_schools(mon):
    """Municipality A's two schools: one with 1 teacher, who has an ИПРП; one with 3 teachers, none with one."""
    small, big = School.objects.filter(municipality=mon.municipality_a).order_by("pk")[:2]
    Teacher.objects.filter(school__in=[small, big]).delete()
    _teachers(small, 1, with_plan=1, year=mon.year)
    _teachers(big, 3, year=mon.year)
    return small, big


def test_a_municipalitys_share_of_teachers_with_an_ipr_is_pooled_not_the_mean_of_its_schools(mon, two_schools):
    small, big = two_schools
    only_two = [small.pk, big.pk]
    Teacher.objects.filter(school__municipality=mon.municipality_a).exclude(school_id__in=only_two).delete()
    assert compute("ipr_coverage", year=mon.year, school=small) == 100.0
    assert compute("ipr_coverage", year=mon.year, school=big) == 0.0
    # 1 of 4 teachers, where the mean of the two schools' shares would say 50 %.
    assert compute("ipr_coverage", year=mon.year, municipality=mon.municipality_a) == 25.0


def test_the_dashboard_sums_up_each_indicator_as_it_says(mon, two_schools):
    small, big = two_schools
    Teacher.objects.filter(school__municipality=mon.municipality_a).exclude(school__in=[small, big]).delete()
    pooled = Indicator.objects.create(
        code="ipr-pooled", name="Педагоги с ИПРП", level=Indicator.Level.SCHOOL, computed_by="ipr_coverage",
        aggregation=Indicator.Aggregation.POOLED, municipality=mon.municipality_a,
    )  # fmt: skip
    summed = Indicator.objects.create(
        code="events-held", name="Проведено мероприятий", level=Indicator.Level.SCHOOL, unit=Indicator.Unit.COUNT,
        aggregation=Indicator.Aggregation.SUM, municipality=mon.municipality_a,
    )  # fmt: skip
    averaged = Indicator.objects.create(
        code="events-mean", name="Мероприятий в среднем", level=Indicator.Level.SCHOOL, unit=Indicator.Unit.COUNT,
        municipality=mon.municipality_a,
    )  # fmt: skip
    computed_values_refresh(year=mon.year, stages=[Stage.FINAL], municipality_ids=[mon.municipality_a.pk])
    for indicator in (summed, averaged):
        for school, value in ((small, 2), (big, 3)):
            IndicatorValue.objects.create(
                indicator=indicator, year=mon.year, stage=Stage.FINAL, municipality=mon.municipality_a, school=school,
                value=Decimal(value), status=IndicatorValue.Status.CONFIRMED,
            )  # fmt: skip
    figures = year_figures(user=mon.users["department"], year=mon.year, municipality=mon.municipality_a)
    actual = {
        (row["indicator"].code, bool(row["municipality"])): row["actual"]
        for row in figures.indicator_rows
        if row["indicator"].pk in (pooled.pk, summed.pk, averaged.pk)
    }
    assert actual[("ipr-pooled", True)] == 25.0 and actual[("ipr-pooled", False)] == 25.0
    assert actual[("events-held", True)] == 5.0
    assert actual[("events-mean", True)] == 2.5


def test_only_what_the_portal_computes_may_be_pooled(mon):
    typed = Indicator(
        code="typed", name="Вводимый показатель", level=Indicator.Level.SCHOOL,
        aggregation=Indicator.Aggregation.POOLED,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        typed.full_clean()
    assert "только показатели, которые считает портал" in str(refused.value.message_dict["aggregation"])


def test_agreements_count_in_the_school_year_they_are_signed(mon):
    school, curator = School.objects.filter(municipality=mon.municipality_a).order_by("pk")[2:4]
    Agreement.objects.filter(supported_school=school).delete()
    for signed_on in (datetime.date(mon.year - 1, 9, 1), datetime.date(mon.year - 1, 8, 31)):
        Agreement.objects.create(
            curator_school=curator, supported_school=school, signed_on=signed_on, starts_on=signed_on,
            ends_on=signed_on + datetime.timedelta(days=300), status=Agreement.Status.ACTIVE,
        )  # fmt: skip
    assert compute("agreements_signed", year=mon.year, school=school) == 1.0
    assert compute("agreements_signed", year=mon.year - 1, school=school) == 1.0


def test_the_indicator_page_and_the_yearly_report_say_how_it_is_measured(mon, client):
    from monitoring.yearly_report import report_write

    indicator = Indicator.objects.filter(code="teachers-training", programme__isnull=False).first()
    assert indicator.instrument and indicator.data_source  # seed 002's matrix, in the demo
    client.force_login(mon.users["department"])
    page = client.get(reverse("monitoring:indicator_detail", args=[indicator.pk])).content.decode()
    assert "Инструмент:" in page and indicator.data_source in page and "среднее по школам" in page

    import io

    import openpyxl

    buffer = io.BytesIO()
    report_write(buffer, user=mon.users["department"], year=mon.year)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)["Показатели"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(row for row in rows if row and "Источник данных" in row)
    written = [row for row in rows if row and row[0] == "teachers-training"]
    assert written and written[0][header.index("Источник данных")] == indicator.data_source
