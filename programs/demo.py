"""Demo programmes for municipality A: the municipal roadmap of seed 002 and school programmes in every state.

Deterministic and idempotent: risk factors and checklist criteria are found by their natural keys, and each
programme is created (with its roadmap, submissions and reviews, through the services, so that history and
snapshots are real) only when no programme of that owner, kind and title exists; a second run changes nothing.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from schools.models import Municipality, School

from .deadlines import Deadline
from .demo_routes import seed_expert_review, seed_review_route
from .models import MeasureStatus, Programme, ReviewCriterion, RiskFactor, plan_value_parse
from .services import (
    MeasureData,
    evidence_add,
    programme_create,
    programme_submit,
    programme_update_passport,
    review_assign_mutual,
    review_complete,
    review_open_regional,
    review_start,
    roadmap_import,
)

# The risk factors of ../shared/DOMAIN.md (the risk profile of the federal «500+» project).
RISK_FACTORS = [
    ("low-motivation", "Низкая учебная мотивация обучающихся"),
    ("teacher-shortage", "Дефицит педагогических кадров"),
    ("weak-competence", "Недостаточная предметная и методическая компетентность педагогических работников"),
    ("failure-risk", "Высокая доля обучающихся с рисками учебной неуспешности"),
    ("low-parental-involvement", "Низкий уровень вовлечённости родителей"),
    ("special-needs", "Высокая доля обучающихся с ОВЗ"),
    ("poor-climate", "Пониженный уровень благополучия школьной среды (школьного климата)"),
]

# The review checklist: what seed 004's experts check in a school's «концептуальные документы».
REVIEW_CRITERIA = [
    ("Цель и задачи программы вытекают из результатов самооценки и выявленных рисков", ""),
    ("Мероприятия направлены на преодоление факторов риска школы", ""),
    ("У каждого мероприятия есть измеримый результат и плановое значение", "Наименование результата, единица, значения по годам."),
    ("Сроки мероприятий реалистичны и укладываются в срок программы", ""),
    ("Для каждого мероприятия назначены исполнители", ""),
    ("Предусмотрено сетевое взаимодействие со школой-куратором", "Соглашение, план совместных мероприятий."),
    ("Определены показатели, по которым будет видна динамика образовательных результатов", ""),
]

PERIOD = (2025, 2027)
# Seed 002 (Rybinsk district, 2022–2024) runs its roadmap over 2022, 2023 and 2024; the demo shifts it by three
# years to 2025–2027 so that it is current: the seed's «2022 г.» column is 2025 here, «2023 г.» 2026, «2024 г.» 2027.
SEED_YEAR_SHIFT = 3

MUNICIPAL_TITLE = (
    "Муниципальная программа поддержки школ с низкими образовательными результатами и школ, функционирующих "
    "в неблагоприятных социальных условиях, на 2025–2027 годы"
)
MUNICIPAL_PASSPORT = {
    # «Паспорт Программы» of seed 002, with the demo municipality in place of Rybinsk district.
    "goal": (
        "Повышение качества образования и уровня ресурсного обеспечения школ, имеющих стабильно низкие результаты "
        "обучения и школ, функционирующих в неблагоприятных социальных условиях."
    ),
    "tasks": "\n".join(
        [
            "1. Разработать и реализовать механизмы развития предметных и метапредметных компетенций педагогов.",
            "2. Организовать взаимодействие по обмену опытом и распространению эффективных практик ОО-лидеров и ОО-участников проекта.",
            "3. Содействовать созданию на школьном уровне среды, поддерживающей обучение и создающей возможности для индивидуализации подходов к преподаванию.",
            "4. Разработать муниципальную систему мониторинга результатов реализации программ перехода в эффективный режим работы школ с низкими образовательными результатами и функционирующих в неблагоприятных социальных условиях.",
        ]
    ),
    "curator": "Начальник управления образования администрации Заречного муниципального района",
    "responsible_executor": "Управление образования администрации Заречного муниципального района",
    "executors": (
        "МУ ДПО «Учебно-методический центр»\n"
        "МОУ Покровская СОШ, МОУ Никольская ООШ, МОУ Берёзовская ООШ, МОУ Ильинская СОШ"
    ),
    "web_address": "https://zarechny-uo.example.ru/shnor",
}

# Section 15 of seed 002: «Дорожная карта» разработки и реализации муниципальной программы поддержки ШНОР и ШНСУ.
# (task, [(measure, result, planned total, [2022, 2023, 2024 → 2025, 2026, 2027], executors,
#          demo deadline, demo status, demo actual 2025, demo actual 2026)])
# The deadlines, statuses and actual values are the demo's own (the seed has none; a date, or a month, months or a
# year written as seed 004 writes them: «Август», «Сентябрь, октябрь, ноябрь», «В течение года»); the seed's numbering gap
# (4.6 → 4.8) is closed by the portal's numbering by order, so its 4.8–4.11 are 4.7–4.10 here.
D = datetime.date
P, W, OK = MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.DONE
SEED_002_ROADMAP = [
    (
        "Реализация мер, направленных на идентификацию и мониторинг эффективности поддержки школ с низкими "
        "результатами обучения и школ, функционирующих в неблагоприятных социальных условиях",
        [
            ("Отбор ШНОР и ШНСУ для адресного сопровождения", "Количество школ для адресного сопровождения и помощи",
             "4", ["4", "4", "4"], "ДО, УО, УМЦ", D(2027, 9, 1), W, 4, 4),
            ("Разработка Программы мониторинга реализации муниципальной программы поддержки ШНОР и ШНСУ",
             "Программа мониторинга реализации муниципальной программы поддержки ШНОР и ШНСУ",
             "1", ["1", "0", "0"], "УО, УМЦ", D(2025, 12, 20), OK, 1, None),
            ("Проведение самооценки деятельности общеобразовательной организации с учётом планируемых результатов в "
             "рамках программ перевода в эффективный режим развития",
             "Открытый доклад по результатам самооценки школ", "4", ["4", "4", "4"], "УО, ОО", D(2026, 6, 30), W, 4, 2),
            ("Совещание руководителей ШНОР и ШНСУ по координации деятельности по реализации Программы",
             "Протокол совещания", "1", ["1", "1", "1"], "УО", D(2027, 12, 15), W, 1, None),
        ],
    ),
    (
        "Реализация мер, направленных на создание муниципальной инфраструктуры обеспечения поддержки ШНОР и ШНСУ",
        [
            ("Создание рабочей группы по разработке Программы поддержки, определение школ, нуждающихся в поддержке",
             "Приказ начальника УО, перечень ОО", "не менее 1", ["1", "0", "0"], "УО", D(2025, 3, 1), OK, 1, None),
            ("Создание муниципальной команды тьюторов по поддержке педагогов школ ШНОР и ШНСУ",
             "Приказ начальника УО", "не менее 1", ["1", "0", "0"], "УО", D(2025, 4, 1), OK, 1, None),
            ("Мониторинг маршрутов школьных автобусов с целью их изменения под сетевое взаимодействие",
             "Анализ маршрутов школьных автобусов", "1", ["1", "1", "1"], "УО", Deadline.in_months(2026, [8]), P, 1,
             None),
        ],
    ),
    (
        "Реализация мер, направленных на нормативное и методическое обеспечение поддержки ШНОР и ШНСУ",
        [
            ("Разработка муниципальной программы поддержки ШНОР и ШНСУ", "Муниципальная программа поддержки ШНОР и ШНСУ",
             "1", ["1", "0", "0"], "УО, УМЦ", D(2025, 5, 30), OK, 1, None),
            ("Разработка школьных программ перевода школ в эффективный режим работы",
             "Школьные программы перевода школ в эффективный режим работы", "4", ["4", "0", "0"], "ОО",
             D(2025, 10, 1), OK, 4, None),
            ("Проведение экспертизы муниципальной и школьных программ поддержки и перевода школ в эффективный режим "
             "работы", "Экспертиза муниципальной и школьных программ", "4", ["4", "0", "0"], "УМЦ, УО",
             D(2025, 12, 1), W, 3, None),
            ("Разработка методических рекомендаций для школ, работающих в сложных социальных условиях, по итогам "
             "проведения мониторинговых исследований учебных достижений",
             "Методические рекомендации с учётом особенностей ШНОР и ШНСУ", "1", ["1", "0", "0"], "УМЦ",
             D(2025, 12, 25), OK, 1, None),
            ("Формирование новых механизмов взаимодействия ОО по переводу школ в эффективный режим работы",
             "Описание новых механизмов по переводу школ в эффективный режим работы", "не менее 1", ["1", "0", "0"],
             "УО, УМЦ", D(2025, 12, 25), OK, 1, None),
        ],
    ),
    (
        "Реализация мер, направленных на профессиональное развитие педагогических и руководящих работников ШНОР и ШНСУ",
        [
            ("Оценки профессиональных компетенций и определения профессиональных дефицитов педагогов по вопросам "
             "повышения качества образования в ШНОР и ШНСУ по итогам методического аудита",
             "Пакет инструментов, аналитические справки", "1/4", ["1/4", "1/4", "1/4"], "УМЦ", D(2027, 11, 30), W,
             None, None),
            ("Проведение оценки профессиональных и метапредметных компетенций педагогов ШНОР и ШНСУ",
             "Аналитическая записка, выявление профессиональных потребностей и дефицитов педагогов", "1",
             ["1", "1", "1"], "ЯИРО, муниципальные тьюторы", D(2027, 11, 30), W, 1, 1),
            ("Формирование запроса на разработку и реализацию программ повышения квалификации педагогов",
             "Перечень тематик ППК для педагогов МР", "1", ["1", "1", "1"], "УМЦ", D(2027, 6, 1), W, 1, 1),
            ("Формирование запроса на разработку и реализацию программ повышения квалификации для административных "
             "команд школ", "Перечень тематик ППК для административных команд школ", "1", ["1", "1", "1"], "УМЦ",
             D(2027, 6, 1), W, 1, 1),
            ("Координация деятельности работы тьюторской команды", "Координационный план работы тьюторов", "1",
             ["1", "1", "1"], "УО, УМЦ, тьюторы", D(2027, 12, 20), W, 1, 1),
            ("Организация и проведение семинара для руководителей ШНОР и ШНСУ «Разработка и совершенствование "
             "моделей сетевого взаимодействия»", "Программа семинара", "не менее 3", ["1", "1", "1"], "УО, УМЦ, ОО",
             Deadline.in_months(2026, [9, 10, 11]), W, 1, None),
            ("Муниципальные конкурсы профессионального мастерства",
             "Аналитическая справка по результатам участия школ", "5", ["1", "2", "2"], "УМЦ, ОО", D(2027, 4, 30), W,
             1, 2),
            ("Муниципальная конференция педагогических работников", "Программа конференции", "не менее 3",
             ["1", "1", "1"], "УМЦ, ОО", D(2027, 8, 28), W, 1, 1),
            ("Серия педагогических советов и семинаров-практикумов в школах – участницах проекта по развитию "
             "профессиональных компетентностей педагогов", "План и решения мероприятий", "не менее 6",
             ["2", "2", "2"], "УМЦ, ОО", Deadline.during(2027), W, 2, 1),
            ("Аудит системы методической работы школ-участниц проекта",
             "Аналитическая справка по результатам аудита", "4", ["3", "4", "4"], "УМЦ", D(2027, 12, 20), W, 3, None),
        ],
    ),
    (
        "Реализация мер, направленных на взаимодействие и информирование педагогической общественности в процессе "
        "реализации региональной Программы поддержки ШНОР и ШНСУ",
        [
            ("Включение вопросов поддержки ШНОР и ШНСУ в общественно-значимые мероприятия муниципальной системы "
             "образования", "Секции в рамках муниципальной конференции педагогических и руководящих работников",
             "не менее 1 раза в год", ["не менее 1 раза в год"] * 3, "УО", D(2027, 8, 28), W, 1, 1),
            ("Муниципальный конкурс на присвоение муниципального ресурсного центра", "Приказ о присвоении статуса",
             "3", ["1", "1", "1"], "УО, УМЦ, ОО", D(2027, 5, 31), W, 1, None),
        ],
    ),
    (
        "Реализация мер, направленных на финансовое обеспечение поддержки ШНОР и ШНСУ",
        [
            ("Включение в эффективный контракт руководителей и педагогов показателей, характеризующих "
             "результативность перехода школы в эффективный режим работы",
             "Эффективный контракт руководителей, эффективный контракт педагога", "2", ["2", "2", "2"], "УО, ОО",
             D(2026, 9, 1), P, 2, None),
        ],
    ),
]

TRANSITION_TITLE = "Программа перехода в эффективный режим работы на 2025–2027 годы"

# A school programme of transition to effective work: (task, [(measure, result, unit, total, per year, executors,
# deadline, status, risk factor code)]). The same plan serves the demo schools, each in its own state.
SCHOOL_ROADMAP = [
    (
        "Повышение предметной и методической компетентности педагогов",
        [
            ("Диагностика профессиональных дефицитов педагогов", "Аналитическая справка", "шт.", "3",
             ["1", "1", "1"], "Заместитель директора по УВР", D(2027, 10, 31), W, "weak-competence"),
            ("Индивидуальные планы профессионального развития педагогов по итогам диагностики",
             "Педагоги с ИПРП", "чел.", "12", ["8", "10", "12"], "Заместитель директора по УВР, тьютор",
             D(2027, 12, 20), W, "weak-competence"),
            ("Повышение квалификации по выявленным дефицитам", "Доля педагогов, прошедших КПК", "%", "100",
             ["50", "75", "100"], "Директор", D(2027, 12, 20), W, "weak-competence"),
        ],
    ),
    (
        "Работа с обучающимися с рисками учебной неуспешности",
        [
            ("Индивидуальные образовательные маршруты обучающихся с рисками учебной неуспешности",
             "Обучающиеся с маршрутами", "чел.", "не менее 15", ["15", "15", "15"], "Классные руководители, педагог-психолог",
             D(2026, 9, 30), W, "failure-risk"),
            ("Консультации по подготовке к ОГЭ по математике", "Проведено консультаций", "занятий", "90",
             ["30", "30", "30"], "Учителя математики", D(2027, 5, 25), W, "failure-risk"),
        ],
    ),
    (
        "Повышение учебной мотивации и вовлечение родителей",
        [
            ("Проектная неделя «Моя будущая профессия» с участием предприятий района", "Проведено проектных недель",
             "шт.", "3", ["1", "1", "1"], "Заместитель директора по ВР", D(2027, 4, 30), P, "low-motivation"),
            ("Родительские собрания «Как помочь ребёнку учиться»", "Доля родителей, принявших участие", "%",
             "не менее 60", ["40", "50", "60"], "Классные руководители", D(2027, 12, 20), W, "low-parental-involvement"),
        ],
    ),
    (
        "Сетевое взаимодействие со школой-куратором",
        [
            ("Соглашение о сетевом взаимодействии с Гимназией г. Заречный", "Соглашение", "шт.", "1", ["1", "0", "0"],
             "Директор", D(2025, 9, 15), OK, ""),
            ("Взаимопосещение уроков с педагогами школы-куратора", "Посещено уроков", "уроков", "24",
             ["8", "8", "8"], "Руководители ШМО", D(2027, 12, 20), W, "weak-competence"),
        ],
    ),
]

ANTI_RISK_ROADMAP = [
    (
        "Диагностика учебной мотивации",
        [
            ("Анкетирование обучающихся 5–9 классов по методике оценки учебной мотивации",
             "Аналитическая справка по итогам анкетирования", "шт.", "2", ["1", "1"], "Педагог-психолог",
             D(2025, 11, 30), OK, "low-motivation"),
        ],
    ),
    (
        "Меры по повышению учебной мотивации",
        [
            ("Внеурочные курсы проектной и исследовательской деятельности", "Охват обучающихся 5–9 классов", "%",
             "не менее 50", ["30", "50"], "Заместитель директора по ВР", D(2026, 12, 20), W, "low-motivation"),
            ("Участие обучающихся в муниципальном этапе ВсОШ и конкурсах", "Участники", "чел.", "20", ["10", "10"],
             "Учителя-предметники", D(2026, 12, 20), W, "low-motivation"),
        ],
    ),
]

# Evidence of the demo: a tiny but valid PDF.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _year_values(values: list[str], actual: list, first_year: int) -> dict[int, dict]:
    years = {}
    for offset, raw in enumerate(values):
        value, text = plan_value_parse(raw)
        years[first_year + offset] = {"planned_value": value, "planned_text": text}
    for offset, fact in enumerate(actual):
        if fact is not None:
            years.setdefault(first_year + offset, {"planned_value": None, "planned_text": ""})
            years[first_year + offset]["actual_value"] = Decimal(fact)
    return years


def _fill_roadmap(programme: Programme, actor, rows, *, factors: dict, seed_table: bool, source: str) -> None:
    """Write a roadmap in one go through the import service (bulk, with history), as a file would be loaded."""
    sections = []
    for title, measure_rows in rows:
        measures = []
        for row in measure_rows:
            if seed_table:
                name, result, total, per_year, executors, deadline, status, fact_1, fact_2 = row
                unit, factor, actual = "", "", [fact_1, fact_2]
            else:
                name, result, unit, total, per_year, executors, deadline, status, factor = row
                # 2025 is over in the demo: its actual value is the plan's.
                actual = [per_year[0]] if programme.period_start == PERIOD[0] else []
            planned_value, planned_text = plan_value_parse(total)
            measures.append(
                MeasureData(
                    name=name,
                    result_name=result,
                    unit=unit,
                    planned_value=planned_value,
                    planned_text=planned_text,
                    executors=executors,
                    due=deadline if isinstance(deadline, Deadline)
                    else min(max(deadline, programme.period_first_day), programme.period_last_day),
                    status=status,
                    risk_factor=factors.get(factor),
                    years=_year_values(per_year, [_digits(a) for a in actual], programme.period_start),
                )
            )
        sections.append({"title": title, "measures": measures})
    roadmap_import(programme=programme, actor=actor, sections=sections, file_name=source)


def _digits(value):
    if value is None:
        return None
    value, _text = plan_value_parse(value)
    return value


def _exists(**lookup) -> bool:
    return Programme.objects.filter(**lookup).exists()


@transaction.atomic
def seed_programmes() -> dict[str, int]:
    """Risk factors, the review checklist and the demo programmes of municipality A (see the module docstring)."""
    from schools.demo import MUNICIPALITY_A

    factors = _seed_reference_data()
    municipality = Municipality.objects.filter(name=MUNICIPALITY_A).first()
    if municipality is None:  # the registry's demo has not been seeded
        return {"risk_factors": len(factors), "programmes": 0}
    users = get_user_model().objects.in_bulk(["coordinator", "school", "curator", "department"], field_name="username")
    coordinator, department = users.get("coordinator"), users.get("department")
    if coordinator is None or department is None:
        return {"risk_factors": len(factors), "programmes": 0}
    schools = {s.short_name: s for s in School.objects.filter(municipality=municipality)}
    seed_review_route(municipality.region, department)
    created = _seed_municipal_programme(municipality, coordinator, factors)
    if (team := users.get("school")) is not None:
        created += _seed_school_team_programmes(schools, factors, team=team, coordinator=coordinator)
    created += _seed_submitted_programme(schools, factors, department=department)
    created += _seed_accepted_programme(schools, factors, department=department, coordinator=coordinator)
    created += _seed_programme_in_review(schools, factors, department=department, coordinator=coordinator)
    if accepted := Programme.objects.filter(school__short_name="Берёзовская ООШ", title=TRANSITION_TITLE).first():
        seed_expert_review(accepted, department)
    return {"risk_factors": len(factors), "programmes": created}


def _seed_reference_data() -> dict[str, RiskFactor]:
    """The risk factors (returned by code) and the review checklist, found by their natural keys."""
    factors = {}
    for position, (code, name) in enumerate(RISK_FACTORS, start=1):
        factor, _ = RiskFactor.objects.get_or_create(region=None, code=code, defaults={"name": name, "position": position})
        factors[code] = factor
    for position, (name, description) in enumerate(REVIEW_CRITERIA, start=1):
        ReviewCriterion.objects.get_or_create(step=None, region=None, name=name, defaults={"description": description, "position": position})
    return factors


def _seed_municipal_programme(municipality: Municipality, coordinator, factors: dict) -> int:
    """The municipal programme, kept by the coordinator: the plan of seed 002, still a draft being completed."""
    if _exists(kind=Programme.Kind.MUNICIPAL, municipality=municipality, title=MUNICIPAL_TITLE):
        return 0
    programme = programme_create(
        actor=coordinator, kind=Programme.Kind.MUNICIPAL, title=MUNICIPAL_TITLE, period_start=PERIOD[0],
        period_end=PERIOD[1], municipality=municipality, passport=MUNICIPAL_PASSPORT,
    )
    _fill_roadmap(
        programme, coordinator, SEED_002_ROADMAP, factors=factors, seed_table=True,
        source="муниципальной программы (seed 002, раздел 15)",
    )
    evidence_add(
        measure=programme.measures.get(section__position=2, position=1), actor=coordinator, title="Приказ УО № 27 от 20.02.2025 о рабочей группе",
        file=ContentFile(DEMO_PDF, name="prikaz-27-rabochaya-gruppa.pdf"),
    )
    return 1


def _school_programme(schools, factors, short_name, *, kind, title, rows, period, actor, factor=None):
    """A school's programme with its passport and roadmap, as a draft; None when the school is missing or the
    programme exists already."""
    school = schools.get(short_name)
    if school is None or _exists(kind=kind, school=school, title=title):
        return None
    programme = programme_create(
        actor=actor, kind=kind, title=title, period_start=period[0], period_end=period[1], school=school,
        risk_factor=factor,
    )
    programme_update_passport(
        programme=programme, actor=actor, expected_version=programme.version,
        data={
            "goal": (
                "Переход школы в эффективный режим работы: повышение образовательных результатов обучающихся "
                "за счёт преодоления выявленных факторов риска."
                if kind != Programme.Kind.ANTI_RISK
                else f"Преодоление фактора риска «{factor.name}»."
            ),
            "tasks": "\n".join(f"{i}. {section_title}" for i, (section_title, _rows) in enumerate(rows, start=1)),
            "curator": f"Директор МОУ {short_name}",
            "responsible_executor": "Заместитель директора по учебно-воспитательной работе",
            "executors": "Управленческая команда школы, руководители ШМО, педагог-психолог",
        },
    )
    programme.refresh_from_db()
    _fill_roadmap(programme, actor, rows, factors=factors, seed_table=False, source="школьной программы (демо)")
    programme.refresh_from_db()
    return programme


def _seed_school_team_programmes(schools, factors, *, team, coordinator) -> int:
    """Покровская СОШ (the demo school team): the transition programme is a draft to submit; the anti-risk
    programme came back with remarks."""
    from schools.demo import SCHOOL_TEAM_SCHOOL

    created = 0
    if _school_programme(schools, factors, SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.TRANSITION, title=TRANSITION_TITLE,
                         rows=SCHOOL_ROADMAP, period=PERIOD, actor=team):
        created += 1
    anti_risk = _school_programme(
        schools, factors, SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.ANTI_RISK,
        title="Антирисковая программа «Низкая учебная мотивация обучающихся» на 2025–2026 годы",
        rows=ANTI_RISK_ROADMAP, period=(2025, 2026), actor=team, factor=factors["low-motivation"],
    )
    if anti_risk:
        programme_submit(programme=anti_risk, actor=team)
        review = anti_risk.reviews.get(round=1)
        review_complete(
            review=review, actor=coordinator, verdict="returned",
            remarks=(
                "1. Для мероприятия 2.1 укажите, какие курсы внеурочной деятельности вводятся и для каких классов.\n"
                "2. Добавьте мероприятие по работе с родителями обучающихся с низкой мотивацией.\n"
                "3. Результат мероприятия 2.2 сформулируйте как долю обучающихся, а не число участников."
            ),
        )
        created += 1
    return created


def _seed_submitted_programme(schools, factors, *, department) -> int:
    """Никольская ООШ: submitted, waiting for the coordinator; the department took it for regional review too."""
    nikolskaya = _make_school_team_programme(schools, "Никольская ООШ", TRANSITION_TITLE, factors)
    if not nikolskaya:
        return 0
    programme_submit(programme=nikolskaya, actor=department)
    review_open_regional(programme=nikolskaya, actor=department)
    return 1


def _seed_accepted_programme(schools, factors, *, department, coordinator) -> int:
    """Берёзовская ООШ: returned once, revised, resubmitted and accepted — two rounds to compare."""
    berezovskaya = _make_school_team_programme(schools, "Берёзовская ООШ", TRANSITION_TITLE, factors)
    if not berezovskaya:
        return 0
    programme_submit(programme=berezovskaya, actor=department)
    review_complete(
        review=berezovskaya.reviews.get(round=1), actor=coordinator, verdict="returned",
        remarks="Уточните исполнителей мероприятий задачи 2 и сроки консультаций по подготовке к ОГЭ.",
    )
    berezovskaya.refresh_from_db()
    programme_update_passport(
        programme=berezovskaya, actor=department, expected_version=berezovskaya.version,
        data={"executors": "Управленческая команда школы, учителя математики, классные руководители, педагог-психолог"},
    )
    berezovskaya.refresh_from_db()
    programme_submit(programme=berezovskaya, actor=department)
    review_complete(
        review=berezovskaya.reviews.get(round=2), actor=coordinator, verdict="accepted",
        remarks="Замечания учтены.",
    )
    return 1


def _seed_programme_in_review(schools, factors, *, department, coordinator) -> int:
    """Ильинская СОШ (preventive): a medium-term programme on review, with a mutual review by the curator school."""
    from schools.demo import CURATOR_SCHOOL

    ilyinskaya = _make_school_team_programme(
        schools, "Ильинская СОШ", "Среднесрочная программа развития на 2026–2028 годы", factors,
        kind=Programme.Kind.MEDIUM_TERM, period=(2026, 2028),
    )
    if not ilyinskaya:
        return 0
    programme_submit(programme=ilyinskaya, actor=department)
    review_start(review=ilyinskaya.reviews.get(round=1), actor=coordinator)
    curator_school = schools.get(CURATOR_SCHOOL)
    if curator_school:
        review_assign_mutual(programme=ilyinskaya, actor=coordinator, school=curator_school)
    return 1


def _make_school_team_programme(schools, short_name, title, factors, *, kind=None, period=PERIOD):
    """A programme of a school without a demo user: the department types it in on the school's behalf."""
    department = get_user_model().objects.get(username="department")
    return _school_programme(
        schools, factors, short_name, kind=kind or Programme.Kind.TRANSITION, title=title, rows=SCHOOL_ROADMAP,
        period=period, actor=department,
    )
