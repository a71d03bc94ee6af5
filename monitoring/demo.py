"""Demo data of monitoring: the target indicators of seed 002 (section 5) with their plans, stage dates, values and
the self-assessments of «Покровская СОШ» (the demo `school` user's school).

Deterministic and idempotent: every object is found by its natural key, and values come from a random generator
seeded by school and indicator, so a second run changes nothing. Runs after `schools.demo` and `programs.demo`:
the indicators are attached to the municipal programme of municipality A when there is one.

Seed 002's programme runs 2022–2024 with the baseline before it; the demo shifts it (as `programs.demo` does) so
that its first year is the municipal programme's first year (2025 in the demo): baseline 2024, plans 2025–2027.
The ЕГЭ, ШНОР-share and programme-share indicators are not in seed 002: they show the computed indicators.
"""

import datetime
import io
import random
from decimal import Decimal

import openpyxl
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from programs.models import Programme, RiskFactor
from schools.demo import MUNICIPALITY_A, SCHOOL_TEAM_SCHOOL
from schools.models import Municipality, School, SchoolYearStatus, Status
from schools.school_year import current_school_year

from .models import Indicator, IndicatorPlan, IndicatorValue, MonitoringStage, SelfAssessment, Stage
from .self_assessment_xlsx import (
    FACTOR_FIRST_ROW,
    INDICATOR_FIRST_ROW,
    RATING_COLUMN,
    SHEET_INDICATORS,
    SHEET_MAIN,
    VALUE_COLUMN,
    self_assessment_parse,
    template_content,
    template_xlsx,
)
from .services import computed_values_store, open_report_upload, self_assessment_accept, self_assessment_submit

GOALS = {
    1: "Разработать систему мер, направленных на поддержку образовательной среды ШНОР и ШНСУ, способствующей "
    "личностному росту обучающихся, развитию их творческих способностей, путём их включения в олимпиадное движение "
    "и в муниципальную систему дополнительного образования",
    2: "Создать условия для профессионального развития педагогов, используя программы повышения квалификации, "
    "вертикальные и горизонтальные формы профессионального развития",
    3: "Создать модель сетевого взаимодействия (с использованием современных образовательных технологий, в т.ч. "
    "дистанционных) между школами в условиях дефицита кадров и низких образовательных результатов обучающихся",
    4: "Создать условия для установления горизонтальных связей между школами по обмену и распространению опыта",
}

S, M = Indicator.Level.SCHOOL, Indicator.Level.MUNICIPAL
UP, DOWN = Indicator.Direction.HIGHER_BETTER, Indicator.Direction.LOWER_BETTER
PCT, SCORE = Indicator.Unit.PERCENT, Indicator.Unit.SCORE

# code, goal, name, level, direction, unit, baseline, plans of the programme's three years, computed by
SEED_002_INDICATORS = [
    ("vsosh-participants", 1, "Доля обучающихся — участников ВсОШ, преодолевших рейтинговый балл для участия "
     "в муниципальном этапе", S, UP, PCT, 11, (15, 20, 20), ""),
    ("additional-education", 1, "Доля обучающихся, охваченных системой дополнительного образования", S, UP, PCT, 75,
     (80, 90, 100), ""),
    ("teachers-training", 2, "Доля педагогов, прошедших курсы повышения квалификации исходя из их профессиональных "
     "дефицитов", S, UP, PCT, 50, (75, 100, 100), ""),
    ("teachers-iprp", 2, "Доля педагогов, охваченных тьюторским сопровождением и имеющих ИПРП", S, UP, PCT, 0,
     (20, 35, 50), ""),
    ("teachers-communities", 2, "Доля педагогов, включённых в профессиональные обучающие сообщества в рамках ОО и за "
     "её пределами", S, UP, PCT, 50, (75, 100, 100), ""),
    ("teachers-contests", 2, "Доля педагогов, включённых в конкурсы профессионального мастерства, мастер-классы, "
     "конференции", S, UP, PCT, 10, (30, 40, 50), ""),
    ("vacant-management", 3, "Доля вакантных руководящих должностей", S, DOWN, PCT, 25, (25, 15, 0), ""),
    ("teachers-by-diploma", 3, "Доля педагогов, преподающих свой предмет в соответствии с квалификацией по диплому",
     S, UP, PCT, 60, (65, 75, 75), ""),
    ("network-schools", 3, "Доля школ, включённых в сетевое взаимодействие", M, UP, PCT, 0, (25, 50, 100), ""),
    ("gia-success", 3, "Доля обучающихся, демонстрирующих высокий процент успеваемости и успешно прошедших "
     "государственную итоговую аттестацию (не ниже среднего по кластеру)", S, UP, PCT, 100, (100, 100, 100), ""),
    ("vpr-success", 3, "Доля обучающихся, демонстрирующих высокий процент успеваемости по результатам ВПР", S, UP,
     PCT, 50, (75, 85, 100), ""),
    ("oip-threshold", 3, "Доля школ, преодолевших порог муниципального интегрального показателя образовательной "
     "результативности (ОИП) не менее 21", M, UP, PCT, 50, (75, 100, 100), ""),
    ("social-index-threshold", 3, "Доля школ, преодолевших порог показателя индекса социального благополучия "
     "не менее 42,7 (по району)", M, UP, PCT, 25, (50, 75, 90), ""),
    ("resource-centres", 4, "Доля школ, ставших ресурсными центрами, «точками роста» в рамках реализации сетевого "
     "взаимодействия", M, UP, PCT, 25, (50, 100, 100), ""),
    ("distance-programmes", 4, "Доля образовательных программ с использованием дистанционных технологий в общем "
     "пакете программ ОО", S, UP, PCT, 5, (10, 15, 15), ""),
    # Computed by the portal (not in seed 002).
    ("ege-russian-mean", 0, "Средний балл ЕГЭ по русскому языку", S, UP, SCORE, None, (), "ege_russian_mean"),
    ("shnor-share", 0, "Доля ШНОР среди школ муниципалитета (по утверждённому перечню)", M, DOWN, PCT, None, (),
     "shnor_share"),
    ("accepted-programmes", 0, "Доля ШНОР и ШНСУ с принятой школьной программой", M, UP, PCT, None, (100, 100, 100),
     "accepted_programme_share"),
]

# Seed 002's matrix «Мониторинг качества реализации Программы»: the instrument and the source of each kind of
# indicator («Инструменты», «Источники»).
RESULTS = ("Анализ динамики результатов ЕГЭ, ОГЭ, ВПР, результатов муниципальных олимпиад",
           "Информационно-статистический отчёт (ЦОККО), АСИОУ")
CONDITIONS = ("Анализ динамики изменения качества условий обучения (в том числе сохранности контингента)",
              "Опросный лист")
STAFF = ("Анализ документов; анализ динамики развития кадрового потенциала ШНОР и ШНСУ",
         "АСИОУ, отчёты, аналитические справки, опросы")
DOCUMENTS = ("Анализ документов", "Документы, справки, отчёты")
MEASURED_BY = {
    "vsosh-participants": RESULTS, "gia-success": RESULTS, "vpr-success": RESULTS, "ege-russian-mean": RESULTS,
    "additional-education": CONDITIONS, "distance-programmes": CONDITIONS,
    "teachers-training": STAFF, "teachers-iprp": STAFF, "teachers-communities": STAFF, "teachers-contests": STAFF,
    "vacant-management": STAFF, "teachers-by-diploma": STAFF,
    "network-schools": DOCUMENTS, "resource-centres": DOCUMENTS, "oip-threshold": RESULTS,
    "social-index-threshold": RESULTS, "shnor-share": DOCUMENTS, "accepted-programmes": DOCUMENTS,
}  # fmt: skip
# Computed shares of schools are pooled over a municipality's and the region's schools, not averaged.
POOLED = {"shnor-share", "accepted-programmes"}

# Pokrovskaya's ratings per risk factor code: last year's (accepted) and this year's (waiting for the coordinator).
LAST_YEAR_RATINGS = {
    "low-motivation": 3, "teacher-shortage": 3, "weak-competence": 2, "failure-risk": 3,
    "low-parental-involvement": 2, "special-needs": 1, "poor-climate": 2,
}
THIS_YEAR_RATINGS = {
    "low-motivation": 2, "teacher-shortage": 3, "weak-competence": 2, "failure-risk": 2,
    "low-parental-involvement": 2, "special-needs": 1, "poor-climate": 1,
}
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _schedule(year: int) -> None:
    """The default calendar of a school year (every territory without its own): the portal's three stages."""
    dates = {
        Stage.ENTRY: (datetime.date(year - 1, 9, 1), datetime.date(year - 1, 11, 30)),
        Stage.INTERIM: (datetime.date(year, 1, 15), datetime.date(year, 2, 28)),
        Stage.FINAL: (datetime.date(year, 5, 15), datetime.date(year, 6, 20)),
    }
    for position, (stage, (starts_on, due_on)) in enumerate(dates.items(), start=1):
        MonitoringStage.objects.get_or_create(
            region=None,
            year=year,
            code=stage,
            defaults={"name": stage.label, "position": position, "starts_on": starts_on, "due_on": due_on},
        )


SEED_002_BASIS = "Программа поддержки ШНОР и ШНСУ Рыбинского МР, раздел 14 «Дорожная карта организации мониторинга»"


def _seed_002_calendar(region, first_year: int) -> None:
    """Seed 002's cycle for its programme's first year: «Входной мониторинг … Декабрь 2021» — before the programme's
    first calendar year (2022) —, «Промежуточный мониторинг … Май - июнь 2022», «Итоговый мониторинг … июнь 2022»."""
    stages = [
        (
            Stage.ENTRY,
            "Входной мониторинг",
            datetime.date(first_year - 1, 12, 1),
            datetime.date(first_year - 1, 12, 28),
        ),
        (Stage.INTERIM, "Промежуточный мониторинг", datetime.date(first_year, 5, 1), datetime.date(first_year, 6, 30)),
        (Stage.FINAL, "Итоговый мониторинг", datetime.date(first_year, 6, 1), datetime.date(first_year, 6, 30)),
    ]
    for position, (code, name, starts_on, due_on) in enumerate(stages, start=1):
        MonitoringStage.objects.get_or_create(
            region=region, year=first_year, code=code,
            defaults={"name": name, "position": position, "starts_on": starts_on, "due_on": due_on,
                      "basis": SEED_002_BASIS},
        )  # fmt: skip


def _indicators(municipality: Municipality, programme: Programme | None, first_year: int) -> list[Indicator]:
    indicators = []
    for position, (code, goal, name, level, direction, unit, baseline, plans, computed_by) in enumerate(
        SEED_002_INDICATORS, start=1
    ):
        indicator = Indicator.objects.filter(code=code, programme=programme, municipality=municipality).first()
        if indicator is None:
            indicator = Indicator.objects.create(
                code=code, name=name, goal=GOALS.get(goal, ""), level=level, direction=direction, unit=unit,
                programme=programme, municipality=municipality, region_id=municipality.region_id, position=position,
                computed_by=computed_by,
                instrument=MEASURED_BY.get(code, ("", ""))[0], data_source=MEASURED_BY.get(code, ("", ""))[1],
                aggregation=Indicator.Aggregation.POOLED if code in POOLED else Indicator.Aggregation.MEAN,
                baseline_year=first_year - 1 if baseline is not None else None,
                baseline_value=Decimal(baseline) if baseline is not None else None,
            )
            IndicatorPlan.objects.bulk_create(
                IndicatorPlan(indicator=indicator, year=first_year + offset, planned_value=Decimal(value))
                for offset, value in enumerate(plans)
            )
        indicators.append(indicator)
    return indicators


def _value(rng: random.Random, indicator: Indicator, baseline, plan, progress: float) -> Decimal:
    start = float(baseline if baseline is not None else plan)
    value = start + (float(plan) - start) * progress + rng.uniform(-4, 4)
    if indicator.unit == Indicator.Unit.PERCENT:
        value = min(100.0, max(0.0, value))
    return Decimal(str(round(value, 1)))


def _values(indicators, schools, municipality, users, first_year: int, this_year: int) -> None:
    """Confirmed values of past years (all stages last year) and of this year's entry stage; the demo school's
    entry values of this year wait for the coordinator's confirmation."""
    existing = set(
        IndicatorValue.objects.filter(indicator__in=indicators).values_list("indicator_id", "year", "stage", "school_id")
    )
    plans = {(p.indicator_id, p.year): p.planned_value for p in IndicatorPlan.objects.filter(indicator__in=indicators)}
    team, coordinator = users.get("school"), users.get("coordinator")
    now = timezone.now()
    new = []
    # (year, stage, progress within the year, confirmed)
    moments = [(this_year - 2, Stage.FINAL, 0.9, True)]
    moments += [(this_year - 1, Stage.ENTRY, 0.3, True), (this_year - 1, Stage.INTERIM, 0.6, True),
                (this_year - 1, Stage.FINAL, 0.95, True), (this_year, Stage.ENTRY, 0.3, False)]
    owners = [(school, None) for school in schools] + [(None, municipality)]
    for indicator in indicators:
        if indicator.is_computed:
            continue
        for school, _ in owners:
            if (indicator.level == Indicator.Level.SCHOOL) != (school is not None):
                continue
            rng = random.Random(f"{indicator.code}/{school.short_name if school else municipality.name}")
            for year, stage, progress, confirmed in moments:
                if year < first_year or (school is None and stage != Stage.FINAL):
                    continue
                if not confirmed and school is None:
                    continue
                if not confirmed and school.short_name != SCHOOL_TEAM_SCHOOL:
                    # This year's entry values of the other schools came from the coordinator's entry-monitoring
                    # file (confirmed at once); the demo school has typed its own, waiting for the coordinator.
                    confirmed = True
                if (indicator.pk, year, stage, school.pk if school else None) in existing:
                    continue
                plan = plans.get((indicator.pk, year))
                if plan is None:
                    continue
                new.append(
                    IndicatorValue(
                        indicator=indicator, year=year, stage=stage, school=school, municipality=municipality,
                        value=_value(rng, indicator, indicator.baseline_value, plan, progress),
                        status=IndicatorValue.Status.CONFIRMED if confirmed else IndicatorValue.Status.SUBMITTED,
                        entered_by=team if school and school.short_name == SCHOOL_TEAM_SCHOOL else coordinator,
                        entered_at=now, confirmed_by=coordinator if confirmed else None,
                        confirmed_at=now if confirmed else None,
                    )
                )
    if new:
        bulk_create_with_history(new, IndicatorValue, default_user=coordinator)


def _filled(school: School, year: int, stage: str, ratings: dict[str, int]) -> tuple[bytes, object]:
    """The portal's own template for the school, filled in as a school team would."""
    content = template_content(school=school, year=year, stage=stage)
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(content)))
    main = workbook[SHEET_MAIN]
    for offset, factor in enumerate(content.factors):
        main.cell(row=FACTOR_FIRST_ROW + offset, column=RATING_COLUMN, value=ratings.get(factor.code, 2))
    sheet = workbook[SHEET_INDICATORS]
    for offset, item in enumerate(content.indicators):
        if not item.computed and item.value is None and item.planned is not None:
            sheet.cell(row=INDICATOR_FIRST_ROW + offset, column=VALUE_COLUMN, value=float(item.planned) * 0.8)
    main.cell(row=FACTOR_FIRST_ROW + len(content.factors) + 1, column=2,
              value="Главные риски — мотивация обучающихся и нехватка педагогов; план работы — в программе школы.")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), content


def _self_assessments(school: School, users: dict, this_year: int) -> None:
    team, coordinator = users.get("school"), users.get("coordinator")
    if team is None or coordinator is None or not RiskFactor.objects.filter(is_active=True).exists():
        return
    for year, stage, ratings, accept in (
        (this_year - 1, Stage.FINAL, LAST_YEAR_RATINGS, True),
        (this_year, Stage.ENTRY, THIS_YEAR_RATINGS, False),
    ):
        if SelfAssessment.objects.filter(school=school, year=year, stage=stage).exists():
            continue
        data, content = _filled(school, year, stage, ratings)
        parsed = self_assessment_parse(data, content=content)
        if not parsed.ok:
            raise RuntimeError("Демо-самооценка не прошла проверку: " + "; ".join(parsed.errors))
        assessment = self_assessment_submit(
            actor=team, school=school, year=year, stage=stage, parsed=parsed, content=data,
            original_name=f"Самооценка {school.short_name} {year}.xlsx",
        )
        if accept:
            self_assessment_accept(actor=coordinator, assessment=assessment, comment="Принято.")
    if not school.open_reports.filter(year=this_year - 1).exists():
        report = SimpleUploadedFile("Открытый доклад.pdf", DEMO_PDF, content_type="application/pdf")
        open_report_upload(actor=team, school=school, year=this_year - 1, file=report)


@transaction.atomic
def seed_monitoring() -> dict[str, int]:
    this_year = current_school_year()
    for year in (this_year - 1, this_year):
        _schedule(year)
    municipality = Municipality.objects.filter(name=MUNICIPALITY_A).first()
    if municipality is None:  # the registry's demo has not been seeded
        return {"indicators": 0}
    programme = (
        Programme.objects.filter(kind=Programme.Kind.MUNICIPAL, municipality=municipality)
        .order_by("period_start", "pk")
        .first()
    )
    first_year = programme.period_start if programme else this_year - 2
    _seed_002_calendar(municipality.region, first_year)
    indicators = _indicators(municipality, programme, first_year)
    users = get_user_model().objects.in_bulk(["school", "coordinator"], field_name="username")
    listed = set(
        SchoolYearStatus.objects.filter(school__municipality=municipality)
        .exclude(status=Status.NONE)
        .values_list("school_id", flat=True)
    )
    schools = list(
        School.objects.filter(municipality=municipality)
        .filter(pk__in=listed | set(School.objects.filter(short_name=SCHOOL_TEAM_SCHOOL).values_list("pk", flat=True)))
        .select_related("municipality")
        .order_by("short_name")
    )
    _values(indicators, schools, municipality, users, first_year, this_year)
    computed = [i for i in indicators if i.is_computed]
    for year, stage in ((this_year - 2, Stage.FINAL), (this_year - 1, Stage.FINAL), (this_year, Stage.ENTRY)):
        computed_values_store(year=year, stage=stage, indicators=computed, municipality=municipality)
        for school in schools:
            computed_values_store(year=year, stage=stage, indicators=computed, school=school)
    school = next((s for s in schools if s.short_name == SCHOOL_TEAM_SCHOOL), None)
    if school is not None:
        _self_assessments(school, users, this_year)
    return {"indicators": len(indicators), "schools_with_values": len(schools)}
