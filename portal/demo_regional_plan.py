"""Seed 004's «ПЛАН-ГРАФИК («дорожная карта») реализации краевого проекта …» as Пермский край's regional
plan-schedule: a few of its measures, word for word (name, term, executor, «показатели реализации»), approved by the
ministry; the first measures of May are done; two of its «показатели реализации» as the region's indicators (level
«регион»): the share of municipalities with a municipal roadmap (п. 7, counted by the portal) and the share that
reported on it (п. 15, entered by the ministry). Made through the programme services by the region's department and
found by its title: a second run changes nothing."""

from decimal import Decimal

from monitoring.models import Indicator, IndicatorPlan
from monitoring.regional import regional_value_save
from programs.deadlines import read_deadline
from programs.models import Programme, plan_value_parse
from programs.services import (
    MeasureData,
    measure_add,
    measure_mark_done,
    programme_approve,
    programme_create,
    section_add,
)

TITLE = (
    "План-график («дорожная карта») реализации краевого проекта «Адресная методическая помощь общеобразовательным "
    "организациям, имеющим низкие образовательные результаты обучающихся»"
)
YEAR = 2023
SECTION = "Мероприятия плана-графика реализации Проекта"
MOUO = "МОУО"
# (п., name, term, executor, «показатели реализации», planned value as written, unit, done)
MEASURES = [
    ("1", "Разработка и утверждение правовых актов по реализации краевого проекта «Адресная методическая помощь "
     "общеобразовательным организациям, имеющим низкие образовательные результаты обучающихся» (далее – Проект)",
     "май", "МОН ПК, ЦНППМПР", "Разработано и утверждено Положение о Проекте, сформирован перечень школ-участников "
     "Проекта, муниципальных координаторов", None, "", True),
    ("2", "Формирование перечня общеобразовательных организаций для участия в Проекте", "май", "МОН ПК, ЦНППМПР",
     "Подготовлен перечень общеобразовательных организаций для участия в Проекте в 2023 г.", None, "", True),
    ("7", "Разработка муниципальных планов мероприятий (дорожных карт) по сопровождению школ с низкими "
     "образовательными результатами, в том числе в аспекте сетевого взаимодействия школ-участников Проекта", "май",
     MOUO, "Не менее чем в 50% муниципальных образованиях разработаны муниципальные программы/планы мероприятий "
     "(дорожные карты) по сопровождению школ с низкими образовательными результатами", "не менее 50", "%", False),
    ("10", "Вебинар «Актуальные аспекты системы работы со школами с низкими образовательными результатами в Пермском "
     "крае в 2023 году»", "май", "МОН ПК, ЦНППМПР", "100 % специалистов муниципальных методических "
     "служб/центров/МОУО, руководители ШНОР приняли участие в вебинаре", "100", "%", False),
    ("11", "Муниципальная экспертиза документов, разработанных участниками Проекта; выборочная региональная "
     "экспертиза подтверждающих документов ШНОР", "июнь", MOUO, "Не менее 85% муниципальных образований Пермского "
     "края, в которых имеются ШНОР, предоставили информацию о результатах экспертизы антирисковых программ",
     "не менее 85", "%", False),
    ("15", "Мониторинг реализации муниципальных программ сопровождения школ с низкими образовательными результатами "
     "в 2023 году", "октябрь", "МОН ПК, ЦНППМПР", "Не менее 75% муниципальных образований Пермского края "
     "предоставили информацию о реализации муниципальных программ/планов мероприятий (дорожных карт) по "
     "сопровождению ШНОР в 2023 году", "не менее 75", "%", False),
    ("17", "Региональная экспертиза подтверждающих документов в рамках проведения мониторинга 2 этапа реализации "
     "антирисковых программ", "ноябрь", "ЦНППМПР", "Не менее чем у 80% ОО-участников Проекта концептуальные "
     "документы соответствуют параметрам экспертизы", "не менее 80", "%", False),
]  # fmt: skip


def seed_regional_plan(department, region) -> Programme:
    """The region's plan-schedule of 2023 with seed 004's measures, approved by its department."""
    found = Programme.objects.filter(kind=Programme.Kind.REGIONAL, region=region, title=TITLE).first()
    if found is not None:
        return found
    programme = programme_create(
        actor=department, kind=Programme.Kind.REGIONAL, title=TITLE, period_start=YEAR, period_end=YEAR,
        region=region,
        passport={"goal": "Адресная методическая помощь общеобразовательным организациям, имеющим низкие "
                          "образовательные результаты обучающихся",
                  "responsible_executor": "Министерство образования и науки Пермского края (МОН ПК)",
                  "executors": "МОН ПК; Центр непрерывного повышения профессионального мастерства педагогических "
                               "работников ГАУ ДПО «ИРО ПК» (ЦНППМПР); МОУО"},
    )  # fmt: skip
    section = section_add(programme=programme, actor=department, title=SECTION)
    done = []
    for number, name, term, executors, result, planned, unit, is_done in MEASURES:
        value, text = plan_value_parse(planned)
        measure = measure_add(
            section=section, actor=department,
            data=MeasureData(name=name, result_name=result, unit=unit, planned_value=value, planned_text=text,
                             executors=executors, due=read_deadline(f"{term} {YEAR}", default_year=YEAR),
                             note=f"План-график, п. {number}."),
        )  # fmt: skip
        if is_done:
            done.append(measure)
    programme = programme_approve(programme=programme, actor=department)
    for measure in done:
        measure_mark_done(measure=measure, actor=department, expected_version=measure.version)
    return programme


# (code, name, plan as the seed writes it, computed by, the ministry's value of stage 2)
INDICATORS = [
    ("municipal-programmes", "Доля муниципальных образований (с ШНОР), в которых разработаны муниципальные "
     "программы/планы мероприятий (дорожные карты) по сопровождению школ с низкими образовательными результатами",
     50, "municipal_programme_share", None),
    ("municipal-reports", "Доля муниципальных образований Пермского края, предоставивших информацию о реализации "
     "муниципальных программ/планов мероприятий (дорожных карт) по сопровождению ШНОР", 75, "", 100),
]  # fmt: skip


def seed_regional_indicators(department, plan: Programme, *, year: int, stage: str) -> None:
    """The plan-schedule's indicators of the region's level with their plans of the school year `year`."""
    for position, (code, name, planned, computed_by, value) in enumerate(INDICATORS, start=1):
        if Indicator.objects.filter(region=plan.region, programme=plan, code=code).exists():
            continue
        indicator = Indicator(
            code=code, name=name, level=Indicator.Level.REGIONAL, programme=plan, region=plan.region,
            unit=Indicator.Unit.PERCENT, computed_by=computed_by, position=position,
            data_source="мониторинг МОН ПК и ЦНППМПР",
        )  # fmt: skip
        indicator.full_clean()
        indicator.save()
        IndicatorPlan.objects.create(indicator=indicator, year=year, planned_value=planned)
        if value is not None:
            regional_value_save(actor=department, indicator=indicator, year=year, stage=stage, value=Decimal(value))
