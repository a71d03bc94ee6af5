"""xlsx exports of the partnerships lists: row generators (header first) over the same filtered, scoped querysets the
pages show; `shnor_portal.spreadsheets.xlsx_bytes` streams them and escapes formulas."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

from shnor_portal.spreadsheets import Row, xlsx_bytes

from .models import MethodicalEvent


def _date(value):
    return value if value else None


def _yes(value) -> str:
    return "да" if value else ""


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _met(value: bool | None) -> str:
    return {True: "да", False: "нет"}.get(value, "")


def _widths(columns):
    return [width for _title, width in columns]


AGREEMENT_COLUMNS = [
    ("Номер", 12), ("Дата договора", 14), ("Куратор (школа или организация)", 30), ("Муниципалитет куратора", 28),
    ("Сопровождаемая школа", 30), ("Муниципалитет школы", 28), ("Начало срока", 14), ("Окончание срока", 14),
    ("Состояние", 18), ("Формы поддержки", 40), ("Занятий по плану", 12), ("Проведено (подтверждено)", 14),
    ("Ждут подтверждения", 12), ("Оспорено", 10), ("Ближайшее по плану", 16), ("Тема ближайшего", 40),
]  # fmt: skip


def agreement_rows(agreements) -> Iterator[Row]:
    yield [title for title, _ in AGREEMENT_COLUMNS]
    for a in agreements:
        yield [
            a.number, _date(a.signed_on), a.curator_name, a.curator_place,
            a.supported_school.short_name, a.supported_school.municipality.name, a.starts_on, a.ends_on,
            a.state_label, ", ".join(a.forms_label), a.planned_count, a.held_count, a.pending_count,
            a.disputed_count, _date(a.next_planned_on), a.next_topic or "",
        ]  # fmt: skip


SESSION_COLUMNS = [
    ("Дата", 12), ("Форма", 18), ("Тема", 40), ("Фактор риска", 30), ("Куратор", 30),
    ("Сопровождаемая школа", 30), ("Муниципалитет", 28), ("Договор №", 12), ("Педагогов", 10),
    ("Руководителей", 12), ("Часов", 8), ("Результат", 50), ("Подтверждение", 18), ("Комментарий школы", 40),
    ("Файлов", 8),
]  # fmt: skip


def session_rows(sessions) -> Iterator[Row]:
    yield [title for title, _ in SESSION_COLUMNS]
    for s in sessions:
        a = s.agreement
        yield [
            s.held_on, s.get_format_display(), s.topic, s.risk_factor.name if s.risk_factor_id else "",
            a.curator_name, a.supported_school.short_name, a.supported_school.municipality.name,
            a.number, s.teachers_count, s.managers_count, s.hours, s.outcome, s.get_status_display(),
            s.dispute_comment, s.evidence_count,
        ]  # fmt: skip


TEACHER_COLUMNS = [
    ("ФИО", 32), ("Школа", 30), ("Муниципалитет", 28), ("Предмет", 22), ("Категория", 22), ("Стаж", 16),
    ("Работает", 10), ("Открытых дефицитов", 12), ("ИПРП на этот год", 12), ("Тьюторы", 32),
]  # fmt: skip


def teacher_rows(teachers) -> Iterator[Row]:
    yield [title for title, _ in TEACHER_COLUMNS]
    for t in teachers:
        yield [
            t.full_name, t.school.short_name, t.school.municipality.name, t.subject.name, t.get_category_display(),
            t.get_experience_display(), _yes(t.is_active), t.open_deficits, _yes(t.has_plan),
            ", ".join(a.tutor.get_full_name() or a.tutor.username for a in t.current_assignments),
        ]  # fmt: skip


PLAN_COLUMNS = [
    ("Педагог", 32), ("Школа", 30), ("Муниципалитет", 28), ("Предмет", 22), ("Учебный год", 12), ("Статус", 14),
    ("Тьютор", 28), ("Начало", 12), ("Окончание", 12), ("Пунктов", 10), ("Выполнено", 10), ("Просрочено", 10),
    ("Ближайший срок", 14),
]  # fmt: skip


def plan_rows(plans) -> Iterator[Row]:
    yield [title for title, _ in PLAN_COLUMNS]
    for p in plans:
        yield [
            p.teacher.full_name, p.teacher.school.short_name, p.teacher.school.municipality.name,
            p.teacher.subject.name, p.year_label, p.get_status_display(),
            (p.tutor.get_full_name() or p.tutor.username) if p.tutor_id else "", p.starts_on, p.ends_on,
            p.item_count, p.done_count, p.overdue_count, _date(p.next_due_on),
        ]  # fmt: skip


PRACTICE_COLUMNS = [
    ("Название", 40), ("Школа", 30), ("Муниципалитет", 28), ("Статус", 18), ("Предметы", 30),
    ("Факторы риска", 40), ("Опубликована", 14), ("Файлов", 8), ("Скачиваний", 12), ("Описание", 60),
]  # fmt: skip


def practice_rows(practices) -> Iterator[Row]:
    yield [title for title, _ in PRACTICE_COLUMNS]
    for p in practices:
        yield [
            p.title, p.school.short_name, p.school.municipality.name, p.get_status_display(),
            ", ".join(s.name for s in p.subjects.all()), ", ".join(r.name for r in p.risk_factors.all()),
            p.published_at.date() if p.published_at else None, p.file_count, p.download_count, p.description,
        ]  # fmt: skip


DOWNLOAD_COLUMNS = [("Практика", 50), ("Школа", 30), ("Муниципалитет школы", 28), ("Скачано", 18)]


def download_rows(downloads) -> Iterator[Row]:
    yield [title for title, _ in DOWNLOAD_COLUMNS]
    for d in downloads:
        school = d.practice.school
        yield [d.practice.title, school.short_name, school.municipality.name,
               timezone.localtime(d.downloaded_at).replace(tzinfo=None, microsecond=0)]  # fmt: skip


EVENT_COLUMNS = [
    ("Дата", 12), ("Курсы: по", 12), ("Часов", 8), ("Название", 40), ("Форма", 16), ("Уровень", 28),
    ("Организатор", 30), ("Место или ссылка", 30), ("Отменено", 10), ("Приглашено школ", 12), ("Приняли участие", 12),
    ("Школ перечня в охвате", 14), ("Из них участвовали", 14), ("Доля участия школ перечня, %", 16),
    ("Доля участия приглашённых, %", 14),
    ("Педагогов приглашено", 12), ("Педагогов участвовали (на курсах — прошли обучение)", 16),
    ("Управленческих команд приглашено", 14), ("Команд участвовали (на курсах — прошли обучение)", 16),
    ("Специалистов МОУО приглашено", 14), ("Специалистов участвовали (на курсах — прошли обучение)", 16),
    ("Цель считается по", 28), ("Цель: не менее, % приглашённых", 14), ("Доля группы цели, %", 12), ("Цель достигнута", 12),
]  # fmt: skip


def event_rows(events: Iterable[MethodicalEvent]) -> Iterator[Row]:
    """Events with `event_counts.attach_group_counts` and `selectors.event_participation` applied."""
    yield [title for title, _ in EVENT_COLUMNS]
    for e in events:
        people = [e.groups[key] for key in ("teachers", "management", "specialists")]
        yield [
            e.held_on, e.ends_on, e.hours, e.title, e.get_format_display(), e.level_label, e.organiser, e.place,
            _yes(e.is_cancelled), e.invited_count, e.attended_count, e.listed_total, e.listed_attended, e.listed_share,
            _share(e.attended_count, e.invited_count),
            *[value for group in people for value in (group.invited, group.took_part)],
            e.get_target_group_display() if e.target_share is not None else "", e.target_share,
            e.target_count.share if e.target_share is not None else None, _met(e.target_reached),
        ]  # fmt: skip


COVERAGE_COLUMNS = [
    ("Муниципалитет", 28), ("Школа", 30), ("В перечне ШНОР/ШНСУ", 14), ("Педагогов", 10), ("С ИПРП", 10),
    ("Доля с ИПРП, %", 12), ("С тьютором", 10), ("Доля с тьютором, %", 14), ("Учебный год", 10),
    ("Цель: охват, не менее, %", 12),
]  # fmt: skip


def coverage_rows(data: dict) -> Iterator[Row]:
    yield [title for title, _ in COVERAGE_COLUMNS]
    targets = {t["municipality"].pk: t["target"] for t in data["municipalities"]}
    for r in data["rows"]:
        yield [
            r["school"].municipality.name, r["school"].short_name, _yes(r["listed"]), r["teachers"], r["with_plan"],
            r["plan_share"], r["with_tutor"], r["tutor_share"], data["year_label"],
            targets.get(r["school"].municipality_id, data["targets"].teacher_coverage),
        ]  # fmt: skip


SUMMARY_COLUMNS = [
    ("Муниципалитет", 30), ("Учебный год", 10), ("Договоров подписано", 12), ("Цель: договоров, не менее", 10),
    ("Договоров действует", 12), ("Школ в перечне", 10), ("Без куратора", 10), ("Школы без куратора", 50),
    ("Занятий подтверждено", 12), ("Ждут подтверждения", 12), ("Оспорено", 10), ("Педагогов", 10), ("С ИПРП", 10),
    ("Доля с ИПРП, %", 10), ("С тьютором", 10), ("Доля с тьютором, %", 10), ("Цель: охват педагогов, %", 10),
    ("Практик опубликовано", 12), ("Скачиваний за учебный год", 12), ("ШНОР в перечне", 10),
    ("ШНОР на мероприятиях", 14), ("Доля, %", 10), ("Цель: участие ШНОР, %", 10), ("Цели", 60),
]  # fmt: skip


def summary_rows(rows: list[dict]) -> Iterator[Row]:
    yield [title for title, _ in SUMMARY_COLUMNS]
    for r in rows:
        yield [
            r["municipality"].name, r["year_label"], r["signed"], r["target"], r["in_force"], r["listed"],
            len(r["without_curator"]), ", ".join(s.short_name for s in r["without_curator"]),
            r["sessions_confirmed"], r["sessions_pending"], r["sessions_disputed"], r["teachers"], r["with_plan"],
            r["plan_share"], r["with_tutor"], r["tutor_share"], r["coverage_target"], r["practices"], r["downloads"],
            r["shnor"], r["events_took_part"], r["events_share"], r["events_target"], r["targets"].describe(),
        ]  # fmt: skip


TUTOR_COLUMNS = [
    ("Тьютор", 32), ("Муниципалитет", 28), ("Направление", 28), ("Предметы", 30), ("Основное место работы", 30),
    ("Педагогов сопровождает", 12), ("ИПРП на этот год", 12),
]  # fmt: skip


def tutor_rows(rows: list[dict]) -> Iterator[Row]:
    yield [title for title, _ in TUTOR_COLUMNS]
    for r in rows:
        profile = r["profile"]
        yield [
            r["user"].get_full_name() or r["user"].username, r["municipality"].name,
            profile.get_direction_display() if profile else "",
            ", ".join(s.name for s in profile.subjects.all()) if profile else "",
            profile.workplace.short_name if profile and profile.workplace_id else "", r["teachers"], r["plans"],
        ]  # fmt: skip


EXPORTS = {
    "agreements": ("Договоры", AGREEMENT_COLUMNS, agreement_rows),
    "sessions": ("Занятия", SESSION_COLUMNS, session_rows),
    "teachers": ("Педагоги", TEACHER_COLUMNS, teacher_rows),
    "plans": ("ИПРП", PLAN_COLUMNS, plan_rows),
    "practices": ("Практики", PRACTICE_COLUMNS, practice_rows),
    "downloads": ("Скачивания практик", DOWNLOAD_COLUMNS, download_rows),
    "events": ("Мероприятия", EVENT_COLUMNS, event_rows),
    "coverage": ("Охват педагогов", COVERAGE_COLUMNS, coverage_rows),
    "summary": ("Сводка по муниципалитетам", SUMMARY_COLUMNS, summary_rows),
    "tutors": ("Тьюторы", TUTOR_COLUMNS, tutor_rows),
}


def export_xlsx(kind: str, data) -> bytes:
    """One registry of the app's exports: `kind` names the list, `data` is what its row generator reads."""
    title, columns, rows = EXPORTS[kind]
    return xlsx_bytes([(title, rows(data))], column_widths={title: _widths(columns)})

