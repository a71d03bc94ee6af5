"""xlsx exports of the monitoring lists: row generators over the same scoped, filtered querysets as the pages."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from schools.school_year import school_year_label
from shnor_portal.spreadsheets import xlsx_bytes

from .calendar import StageNames
from .models import Indicator, IndicatorPlan, IndicatorValue, SelfAssessment


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _number(value):
    return float(value) if value is not None else None


def indicators_xlsx(indicators: QuerySet[Indicator]) -> bytes:
    indicators = list(
        indicators.prefetch_related(Prefetch("plans", queryset=IndicatorPlan.objects.order_by("year")))
    )
    years = sorted({plan.year for indicator in indicators for plan in indicator.plans.all()})

    def rows() -> Iterator[list]:
        yield [
            "Код", "Показатель", "Цель программы", "Единица", "Направление", "Уровень", "Программа / муниципалитет",
            "Вычисляется порталом", "Год базового значения", "Базовое значение",
            *[f"План {school_year_label(year)}" for year in years], "Действует",
        ]
        for indicator in indicators:
            plans = {plan.year: plan.planned_value for plan in indicator.plans.all()}
            yield [
                indicator.code, indicator.name, indicator.goal, indicator.unit_label, indicator.get_direction_display(),
                indicator.get_level_display(), indicator.scope_label,
                indicator.get_computed_by_display() if indicator.computed_by else "",
                indicator.baseline_year, _number(indicator.baseline_value),
                *[_number(plans.get(year)) for year in years], "да" if indicator.is_active else "нет",
            ]

    widths = [24, 60, 40, 10, 22, 14, 40, 30, 12, 12, *[12] * len(years), 10]
    return xlsx_bytes([("Целевые показатели", rows())], column_widths={"Целевые показатели": widths})


def self_assessments_xlsx(assessments: QuerySet[SelfAssessment]) -> bytes:
    def rows() -> Iterator[list]:
        yield [
            "Муниципалитет", "Школа", "Учебный год", "Этап", "Состояние", "Текущая загрузка", "Файл", "Загрузил",
            "Загружена", "Проверил", "Проверена", "Комментарий координатора",
        ]
        names = StageNames()
        for a in assessments.iterator(chunk_size=2000):
            yield [
                a.school.municipality.name,
                a.school.short_name,
                school_year_label(a.year),
                names(a.year, a.stage, a.school.municipality.region_id),
                a.get_status_display(),
                "да" if a.is_current else "нет",
                a.original_name,
                a.uploaded_by.get_full_name() if a.uploaded_by else "",
                _local(a.uploaded_at),
                a.decided_by.get_full_name() if a.decided_by else "",
                _local(a.decided_at),
                a.decision_comment,
            ]

    title = "Самооценки"
    return xlsx_bytes([(title, rows())], column_widths={title: [30, 30, 12, 14, 22, 10, 30, 24, 18, 24, 18, 40]})


def missing_self_assessments_xlsx(pairs: list[dict]) -> bytes:
    """The self-assessments not handed in on time: the (school × stage) pairs of the list's «не сдана в срок»."""

    def rows() -> Iterator[list]:
        yield ["Муниципалитет", "Школа", "Учебный год", "Этап", "Срок сдачи"]
        for pair in pairs:
            school, stage = pair["school"], pair["stage"]
            due_on = stage.due_on.strftime("%d.%m.%Y") if stage.due_on else ""
            yield [school.municipality.name, school.short_name, school_year_label(pair["year"]), stage.name, due_on]

    title = "Не сданы в срок"
    return xlsx_bytes([(title, rows())], column_widths={title: [30, 30, 12, 20, 14]})


def queue_xlsx(values: QuerySet[IndicatorValue]) -> bytes:
    def rows() -> Iterator[list]:
        yield [
            "Муниципалитет", "Школа", "Код показателя", "Показатель", "Единица", "Учебный год", "Этап", "Значение",
            "Комментарий школы", "Внёс", "Внесено",
        ]
        names = StageNames()
        for v in values.iterator(chunk_size=2000):
            yield [
                v.municipality.name,
                v.school.short_name if v.school_id else "",
                v.indicator.code,
                v.indicator.name,
                v.indicator.unit_label,
                school_year_label(v.year),
                names(v.year, v.stage, v.municipality.region_id),
                _number(v.value),
                v.comment,
                v.entered_by.get_full_name() if v.entered_by else "",
                _local(v.entered_at),
            ]

    title = "Ждут подтверждения"
    return xlsx_bytes([(title, rows())], column_widths={title: [30, 30, 22, 60, 10, 12, 14, 12, 40, 24, 18]})
