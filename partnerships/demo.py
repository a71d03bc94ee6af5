"""Demo data of the partnerships section, on top of the demo region (`portal.demo.seed_demo`).

«Гимназия г. Заречный» (the demo curator) supports «Покровская СОШ» (the demo school) and another school of the
approved list of municipality A under agreements in force, with a plan of joint sessions and logged sessions (some
confirmed, one waiting, one disputed); the demo tutor keeps teachers of «Покровская СОШ» with deficits, ИПРП and
tutoring sessions; the bank has a published practice with downloads and one waiting for moderation; a seminar of the
municipality has attendance marked, and a regional webinar is ahead. People are counted by name at two regional
events of seed 004: a consultation webinar for the teachers of «Покровская СОШ» with the target «не менее 95 %» of
invited teachers (one of eight was absent: not reached), and a course for the management teams of the list's schools
and the municipality's methodical service («не менее 85 % управленческих команд прошли обучение»: reached).

Deterministic and idempotent: every object is found by its natural key and created only when missing, going
through the same services as the pages (so the demo obeys the rules). Dates are laid out around today so that the
agreements are in force whenever the demo is seeded. Demo files get fixed names, so reseeding writes nothing new.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from programs.models import RiskFactor
from schools.models import Municipality, Organisation, School
from schools.school_year import school_year_of

from .models import (
    Agreement,
    DeficitArea,
    DevelopmentPlan,
    EventInvitation,
    MethodicalEvent,
    PlanItemStatus,
    Practice,
    PracticeDownload,
    PracticeFile,
    SessionEvidence,
    SessionFormat,
    Subject,
    SupportSession,
    SupportTarget,
    Teacher,
    TutorAssignment,
    TutorProfile,
)
from .services.agreements import (
    agreement_activate,
    agreement_create,
    plan_item_add,
    session_confirm,
    session_dispute,
    session_log,
)
from .services.event_people import attendance_people_save, attendee_add
from .services.events import event_attendance_save, event_create
from .services.practices import practice_create, practice_download_record, practice_publish, practice_submit
from .services.teachers import (
    deficit_add,
    ipr_item_add,
    plan_create,
    teacher_create,
    tutor_assign,
    tutor_profile_save,
    tutoring_log,
)

# (code, name) of the risk factors the demo needs, as `programs.demo` names them; found by code or by name and
# created only if missing (when the programmes' demo has not run).
RISK_FACTORS = [
    ("low-motivation", "Низкая учебная мотивация обучающихся"),
    ("teacher-shortage", "Дефицит педагогических кадров"),
    ("weak-competence", "Недостаточная предметная и методическая компетентность педагогических работников"),
    ("failure-risk", "Высокая доля обучающихся с рисками учебной неуспешности"),
    ("low-parental-involvement", "Низкий уровень вовлечённости родителей"),
    ("poor-climate", "Пониженный уровень благополучия школьной среды (школьного климата)"),
]

SUBJECTS = [
    ("russian", "Русский язык"), ("literature", "Литература"), ("math", "Математика"), ("physics", "Физика"),
    ("chemistry", "Химия"), ("biology", "Биология"), ("history", "История"), ("social", "Обществознание"),
    ("geography", "География"), ("english", "Английский язык"), ("informatics", "Информатика"),
    ("primary", "Начальные классы"), ("management", "Управление школой"),
]  # fmt: skip

DEFICIT_AREAS = [
    ("subject", "Предметные знания и умения"),
    ("methods", "Методика преподавания предмета"),
    ("assessment", "Оценивание образовательных результатов"),
    ("low_achievers", "Работа с обучающимися с трудностями в обучении"),
    ("special_needs", "Работа с обучающимися с ОВЗ"),
    ("functional_literacy", "Формирование функциональной грамотности"),
    ("digital", "Цифровые образовательные технологии"),
    ("parents", "Взаимодействие с родителями"),
]

CURATOR_SCHOOL = "Гимназия г. Заречный"
SUPPORTED_SCHOOL = "Покровская СОШ"
SECOND_SCHOOL_FALLBACK = "Берёзовская ООШ"

# The plan of joint sessions: (format, topic, risk factor code), one a month from the start of the term.
PLAN = [
    (SessionFormat.CONSULTATION, "Самодиагностика школы и выбор рисковых профилей", "failure-risk"),
    (SessionFormat.LESSON_VISITS, "Взаимопосещение уроков математики в 5–7 классах", "weak-competence"),
    (SessionFormat.SEMINAR, "Формирующее оценивание на уроке", "weak-competence"),
    (SessionFormat.MASTER_CLASS, "Приёмы повышения учебной мотивации на уроках русского языка", "low-motivation"),
    (SessionFormat.JOINT_COUNCIL, "Совместный педсовет: итоги полугодия и корректировка антирисковой программы", "failure-risk"),
    (SessionFormat.WEBINAR, "Работа с родителями обучающихся группы риска", "low-parental-involvement"),
    (SessionFormat.INTERNSHIP, "Стажировка управленческой команды в школе-кураторе", "poor-climate"),
    (SessionFormat.CONSULTATION, "Подготовка к ОГЭ: индивидуальные образовательные маршруты", "failure-risk"),
    (SessionFormat.SEMINAR, "Наставничество для молодых педагогов", "teacher-shortage"),
    (SessionFormat.CONSULTATION, "Анализ результатов промежуточного мониторинга", "weak-competence"),
]  # fmt: skip

# Teachers of «Покровская СОШ»: (full name, subject code, category, experience, tutor kept, deficit codes).
TEACHERS = [
    ("Смирнова Елена Викторовна", "math", Teacher.Category.FIRST, Teacher.Experience.OVER_20, True, ["methods", "low_achievers"]),
    ("Кузьмин Павел Андреевич", "physics", Teacher.Category.NONE, Teacher.Experience.UNDER_3, True, ["subject", "methods", "assessment"]),
    ("Григорьева Ольга Сергеевна", "russian", Teacher.Category.CONFORMITY, Teacher.Experience.FROM_10_TO_20, True, ["functional_literacy"]),
    ("Захарова Анна Петровна", "primary", Teacher.Category.HIGHEST, Teacher.Experience.OVER_20, False, []),
    ("Лебедев Игорь Николаевич", "history", Teacher.Category.FIRST, Teacher.Experience.FROM_10_TO_20, False, ["digital"]),
    ("Фёдорова Мария Алексеевна", "english", Teacher.Category.NONE, Teacher.Experience.FROM_3_TO_10, True, ["assessment", "parents"]),
    ("Волков Сергей Иванович", "chemistry", Teacher.Category.CONFORMITY, Teacher.Experience.OVER_20, False, []),
    ("Николаева Татьяна Юрьевна", "biology", Teacher.Category.FIRST, Teacher.Experience.FROM_3_TO_10, False, []),
]  # fmt: skip

PUBLISHED_PRACTICE = "Наставничество «учитель — учитель»: как гимназия поддерживает молодых педагогов"
WAITING_PRACTICE = "Родительский университет: вовлечение семей в учебную жизнь сельской школы"
SEMINAR = "Семинар «Антирисковые программы: от самодиагностики к результату»"
WEBINAR = "Вебинар «Адресная методическая помощь школам с низкими результатами: итоги полугодия»"
# Seed 004, roadmap items 12 and 5.
TEACHERS_WEBINAR = "Консультационный вебинар по результатам региональной экспертизы подтверждающих документов"
COURSE = (
    "Курсы повышения квалификации «Институциональные механизмы перевода школы с низкими образовательными "
    "результатами в эффективный режим работы»"
)

# A minimal document that `programs.files.evidence_sniff` accepts as a PDF.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def _demo_file(name: str, content: bytes = DEMO_PDF) -> str:
    """A demo file under a fixed name: written once, reused by every later seeding."""
    path = f"partnerships/demo/{name}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(content))
        if saved != path:  # another process wrote the same file meanwhile: keep one
            default_storage.delete(saved)
    return path


def ensure_reference_data() -> dict[str, RiskFactor]:
    """Subjects, deficit areas and the risk factors the demo refers to (found by code or name, else created)."""
    for position, (code, name) in enumerate(SUBJECTS):
        Subject.objects.get_or_create(region=None, code=code, defaults={"name": name, "position": position})
    for position, (code, name) in enumerate(DEFICIT_AREAS):
        DeficitArea.objects.get_or_create(region=None, code=code, defaults={"name": name, "position": position})
    factors = {}
    for position, (code, name) in enumerate(RISK_FACTORS):
        defaults = RiskFactor.objects.filter(region__isnull=True)
        factor = defaults.filter(code=code).first() or defaults.filter(name=name).first()
        if factor is None:
            factor = RiskFactor.objects.create(code=code, name=name, position=100 + position)
        factors[code] = factor
    return factors


def _second_school(municipality: Municipality, first: School) -> School:
    from .selectors import listed_schools

    listed = listed_schools().filter(municipality=municipality).exclude(pk=first.pk).order_by("short_name").first()
    return listed or School.objects.get(municipality=municipality, short_name=SECOND_SCHOOL_FALLBACK)


def _seed_agreement(*, number, file_key, supported_school, coordinator, curator, school_user, factors, today,
                    statuses, curator_school=None, curator_organisation=None) -> Agreement:  # fmt: skip
    """An agreement in force with its plan and sessions; the curator party is a school or an organisation."""
    party = {"curator_school": curator_school, "curator_organisation": curator_organisation}
    agreement = Agreement.objects.filter(**party, supported_school=supported_school, number=number).first()
    if agreement:
        return agreement
    starts_on = _month_start(today - datetime.timedelta(days=150))
    ends_on = _add_months(starts_on, 12) - datetime.timedelta(days=1)
    agreement = agreement_create(
        actor=coordinator,
        **party,
        supported_school=supported_school,
        number=number,
        signed_on=starts_on - datetime.timedelta(days=4),
        starts_on=starts_on,
        ends_on=ends_on,
        subject=(
            "Сотрудничество в целях повышения качества образования, оказания адресной методической помощи и перевода "
            "сопровождаемой школы в эффективный режим работы."
        ),
        form_consulting=True,
        form_methodical=True,
        form_organisational=True,
        form_resource=False,
    )
    items = []
    for index, (session_format, topic, factor) in enumerate(PLAN):
        planned_on = _add_months(starts_on, index).replace(day=15)
        if planned_on > ends_on:
            break
        items.append(
            plan_item_add(
                agreement=agreement, actor=coordinator, planned_on=planned_on, month_only=index >= 8,
                format=session_format, topic=topic, risk_factor=factors[factor],
            )  # fmt: skip
        )
    agreement.scan.name = _demo_file(f"dogovor-{file_key}.pdf")
    agreement.scan_name = f"Договор {number} (скан).pdf"
    agreement.scan_content_type = "application/pdf"
    agreement.scan_size = len(DEMO_PDF)
    agreement.save(update_fields=["scan", "scan_name", "scan_content_type", "scan_size"])
    agreement_activate(agreement=agreement, actor=coordinator)

    past = [item for item in items if item.planned_on < today and not item.month_only]
    for item, status in zip(past, statuses, strict=False):
        session = session_log(
            agreement=agreement,
            actor=curator,
            plan_item=item,
            held_on=item.planned_on,
            format=item.format,
            topic=item.topic,
            risk_factor=item.risk_factor,
            teachers_count=6 if item.format != SessionFormat.CONSULTATION else 2,
            managers_count=2,
            hours=Decimal("2.0") if item.format != SessionFormat.INTERNSHIP else Decimal("6.0"),
            outcome="Даны рекомендации; договорились о следующих шагах и сроках.",
        )
        evidence = SessionEvidence(
            session=session, original_name="Протокол и лист регистрации.pdf", content_type="application/pdf",
            size=len(DEMO_PDF), uploaded_by=curator,
        )  # fmt: skip
        evidence.file.name = _demo_file(f"zanyatie-{file_key}-{item.planned_on:%Y-%m-%d}.pdf")
        evidence.save()
        if status == SupportSession.Status.CONFIRMED and school_user is None:
            # The demo has no user for this school's team: the confirmation is recorded as made outside the portal.
            session.status = SupportSession.Status.CONFIRMED
            session.reviewed_at = timezone.now()
            session._change_reason = "подтверждено школой (демо-данные)"
            session.save(update_fields=["status", "reviewed_at"])
        elif status == SupportSession.Status.CONFIRMED:
            session_confirm(session=session, actor=school_user)
        elif status == SupportSession.Status.DISPUTED:
            session_dispute(
                session=session,
                actor=school_user,
                comment="Посещение уроков перенесли: фактически прошла только консультация директора, педагоги не участвовали.",
            )
    return agreement


def _seed_teachers(*, school, school_user, coordinator, tutor, factors, today) -> None:
    subjects = {s.code: s for s in Subject.objects.filter(region__isnull=True)}
    areas = {a.code: a for a in DeficitArea.objects.filter(region__isnull=True)}
    year = today.year + 1 if today.month >= 9 else today.year
    plan_starts, plan_ends = datetime.date(year - 1, 9, 1), datetime.date(year, 6, 30)
    for index, (full_name, subject, category, experience, tutored, deficits) in enumerate(TEACHERS):
        if Teacher.objects.filter(school=school, full_name=full_name).exists():
            continue
        teacher = teacher_create(
            actor=school_user, school=school, full_name=full_name, subject=subjects[subject], category=category,
            experience=experience,
        )  # fmt: skip
        if not tutored:
            continue
        tutor_assign(
            teacher=teacher, actor=coordinator, tutor=tutor, starts_on=min(plan_starts, today - datetime.timedelta(days=60))
        )
        diagnosed_on = min(plan_starts + datetime.timedelta(days=20), today - datetime.timedelta(days=30))
        recorded = [
            deficit_add(
                teacher=teacher, actor=tutor, area=areas[code], level=("significant" if n == 0 else "partial"),
                diagnosed_on=diagnosed_on, source="Диагностика профессиональных дефицитов (ЦНППМ)", note="",
            )  # fmt: skip
            for n, code in enumerate(deficits)
        ]
        if index >= 3:  # not every tutored teacher has a plan yet: coverage is partial in the demo
            continue
        plan = plan_create(
            teacher=teacher, actor=tutor, year=year, starts_on=plan_starts, ends_on=plan_ends, status="active",
            goal=f"Преодолеть дефицит «{recorded[0].area.name.lower()}» и повысить результаты обучающихся.",
        )  # fmt: skip
        steps = [
            ("Курсы повышения квалификации по выявленному дефициту", "course", -40, PlanItemStatus.DONE),
            ("Посещение уроков наставника в школе-кураторе", "lesson_visits", -7, PlanItemStatus.IN_PROGRESS),
            ("Открытый урок с последующим разбором с тьютором", "mentoring", 14, PlanItemStatus.PLANNED),
            ("Участие в муниципальном семинаре и выступление с опытом", "event", 75, PlanItemStatus.PLANNED),
        ]
        for n, (action, form, offset, status) in enumerate(steps):
            due_on = min(max(today + datetime.timedelta(days=offset), plan_starts), plan_ends)
            ipr_item_add(
                plan=plan, actor=tutor, deficit=recorded[min(n, len(recorded) - 1)], action=action, form=form,
                due_on=due_on, status=status, result="Удостоверение получено." if status == PlanItemStatus.DONE else "",
            )  # fmt: skip
        for days, topic in ((45, "Разбор диагностики и постановка целей"), (12, "Посещение урока и разбор")):
            tutoring_log(
                teacher=teacher, actor=tutor, held_on=today - datetime.timedelta(days=days), format="consultation",
                topic=topic, hours=Decimal("1.5"), note="Согласованы шаги на месяц.",
            )  # fmt: skip
    if not TutorProfile.objects.filter(user=tutor, municipality=school.municipality).exists():
        tutor_profile_save(
            actor=coordinator, user=tutor, municipality=school.municipality, direction=TutorProfile.Direction.TEACHERS,
            subjects=[subjects["math"], subjects["physics"], subjects["russian"]], note="Руководитель тьюторской команды",
        )  # fmt: skip


def _seed_practices(*, curator_school, school, curator, school_user, coordinator, tutor, factors, today) -> None:
    subjects = {s.code: s for s in Subject.objects.filter(region__isnull=True)}
    if not Practice.objects.filter(school=curator_school, title=PUBLISHED_PRACTICE).exists():
        practice = practice_create(
            actor=curator, school=curator_school, title=PUBLISHED_PRACTICE,
            description=(
                "Каждый молодой педагог получает наставника из числа опытных учителей; раз в месяц — взаимопосещение "
                "уроков и разбор по единой карте наблюдения. За два года доля уроков с формирующим оцениванием "
                "выросла с 20 до 65 %; в пакете — положение о наставничестве, карта наблюдения и план на год."
            ),
            subjects=[subjects["management"], subjects["math"]], risk_factors=[factors["teacher-shortage"], factors["weak-competence"]],
        )  # fmt: skip
        stored = PracticeFile(practice=practice, original_name="Положение о наставничестве.pdf",
                              content_type="application/pdf", size=len(DEMO_PDF), uploaded_by=curator)  # fmt: skip
        stored.file.name = _demo_file("praktika-nastavnichestvo.pdf")
        stored.save()
        practice_submit(practice=practice, actor=curator)
        practice_publish(practice=practice, actor=coordinator)
        for user in (school_user, tutor, coordinator):
            practice_download_record(stored=stored, actor=user)
        PracticeDownload.objects.filter(practice=practice).update(downloaded_at=timezone.now() - datetime.timedelta(days=3))
    if not Practice.objects.filter(school=school, title=WAITING_PRACTICE).exists():
        practice = practice_create(
            actor=school_user, school=school, title=WAITING_PRACTICE,
            description=(
                "Встречи с родителями раз в месяц в форме мастерских: как помочь ребёнку с домашним заданием, "
                "как читать электронный дневник, как готовиться к ОГЭ. Посещаемость собраний выросла вдвое."
            ),
            subjects=[subjects["management"]], risk_factors=[factors["low-parental-involvement"], factors["low-motivation"]],
        )  # fmt: skip
        stored = PracticeFile(practice=practice, original_name="Программа родительского университета.pdf",
                              content_type="application/pdf", size=len(DEMO_PDF), uploaded_by=school_user)  # fmt: skip
        stored.file.name = _demo_file("praktika-roditeli.pdf")
        stored.save()
        practice_submit(practice=practice, actor=school_user)


def _seed_events(*, municipality, curator_school, department, coordinator, today) -> None:
    from .selectors import listed_schools

    listed = list(listed_schools().filter(municipality=municipality).order_by("short_name"))
    if not MethodicalEvent.objects.filter(title=SEMINAR).exists():
        event = event_create(
            actor=coordinator, schools=[*listed, curator_school], title=SEMINAR, format=MethodicalEvent.Format.SEMINAR,
            held_on=today - datetime.timedelta(days=30), starts_at=datetime.time(10, 0), municipality=municipality,
            organiser="Управление образования Заречного района", place=f"{curator_school.short_name}, актовый зал",
            description="Как по итогам самодиагностики выбрать рисковые профили и построить антирисковые программы.",
        )  # fmt: skip
        people = {
            "Покровская СОШ": "Орлова Наталья Ивановна — директор\nСмирнова Елена Викторовна — учитель математики",
            "Берёзовская ООШ": "Сидорова Валентина Петровна — заместитель директора",
            CURATOR_SCHOOL: "Белов Дмитрий Александрович — директор",
        }
        marks = {}
        for invitation in EventInvitation.objects.filter(event=event).select_related("school"):
            text = people.get(invitation.school.short_name, "")
            marks[invitation.pk] = (bool(text), text)
        event_attendance_save(event=event, actor=coordinator, marks=marks)
    if not MethodicalEvent.objects.filter(title=WEBINAR).exists():
        event_create(
            actor=department, schools=list(listed_schools().order_by("short_name")), title=WEBINAR,
            format=MethodicalEvent.Format.WEBINAR, held_on=today + datetime.timedelta(days=20),
            starts_at=datetime.time(14, 0), municipality=None, organiser="Министерство образования (региональный центр)",
            place="https://vebinar.example.ru/shnor", description="Для управленческих команд ШНОР и школ-кураторов.",
            target_share=95,  # seed 004: «Не менее 95% ОО-участников Проекта приняли участие в вебинарах»
        )  # fmt: skip


def _seed_teachers_webinar(*, school, department, today) -> None:
    """Seed 004, item 12: «Не менее 95% участников Проекта приняли участие в консультационном вебинаре» — here the
    teachers of the demo school, invited by name; one was absent, so 7 of 8 (87,5 %) miss the target."""
    if MethodicalEvent.objects.filter(title=TEACHERS_WEBINAR).exists():
        return
    event = event_create(
        actor=department, title=TEACHERS_WEBINAR, format=MethodicalEvent.Format.WEBINAR,
        held_on=today - datetime.timedelta(days=12), starts_at=datetime.time(15, 0), municipality=None,
        organiser="ЦНППМПР", place="https://vebinar.example.ru/ekspertiza",
        description="Разбор типичных замечаний региональной экспертизы подтверждающих документов.",
        target_group=MethodicalEvent.TargetGroup.TEACHERS, target_share=95,
    )  # fmt: skip
    people = [
        attendee_add(event=event, actor=department, kind="teacher", teacher=teacher)
        for teacher in Teacher.objects.filter(school=school, is_active=True).order_by("full_name")
    ]
    marks = {person.pk: (n != len(people) - 1, None, None) for n, person in enumerate(people)}
    attendance_people_save(event=event, actor=department, marks=marks)


def _seed_course(*, municipality, coordinator, department, today) -> None:
    """Seed 004, item 5: «Не менее 85 % управленческих команд прошли обучение на курсах повышения квалификации» —
    the directors and school teams of the municipality's listed schools, and its coordinator as a specialist of the
    municipal methodical service; every one completed."""
    from .selectors import listed_schools

    if MethodicalEvent.objects.filter(title=COURSE).exists():
        return
    event = event_create(
        actor=department, title=COURSE, format=MethodicalEvent.Format.COURSE,
        held_on=today - datetime.timedelta(days=60), ends_on=today - datetime.timedelta(days=20), hours=72,
        municipality=None, organiser="ЦНППМПР", place="ГАУ ДПО «Институт развития образования», очно-заочно",
        description="Для управленческих команд ШНОР и специалистов муниципальных методических служб.",
        target_group=MethodicalEvent.TargetGroup.MANAGEMENT, target_share=85, municipalities=[municipality],
    )  # fmt: skip
    people = []
    for school in listed_schools().filter(municipality=municipality).order_by("short_name"):
        people.append(attendee_add(
            event=event, actor=department, kind="management", school=school,
            full_name=school.director or f"Директор ({school.short_name})", position="директор",
        ))  # fmt: skip
    people.append(attendee_add(
        event=event, actor=department, kind="specialist", municipality=municipality,
        full_name=coordinator.get_full_name() or coordinator.username, position="муниципальный координатор",
    ))  # fmt: skip
    attendance_people_save(event=event, actor=department, marks={p.pk: (True, True, None) for p in people})


SEED_002_BASIS = (
    "Муниципальная программа поддержки ШНОР и ШНСУ на 2022–2024 гг. (Рыбинский МР): соглашения между школами-"
    "наставниками и школами ШНОР и ШНСУ «не менее 3» — по одному в год; доля педагогов, охваченных тьюторским "
    "сопровождением и имеющих ИПРП, — 20 % → 35 % → 50 %"
)


def _seed_targets(*, region, today) -> None:
    """Seed 002's targets for the demo's territory, the demo year in the middle of its three-year programme: one
    agreement a year and coverage 20 % → 35 % → 50 %; participation stays the portal's 80 % (seed 004)."""
    year = school_year_of(today)
    for offset, coverage in ((-1, 20), (0, 35), (1, 50)):
        SupportTarget.objects.get_or_create(
            region=region, year=year + offset,
            defaults={"agreements_per_year": 1, "teacher_coverage": coverage, "basis": SEED_002_BASIS},
        )  # fmt: skip


ORGANISATION_AGREEMENT = "3-ДО"


def _seed_organisation_agreement(*, municipality, exclude, factors, today, coordinator) -> Agreement | None:
    """Seed 000's «организации дополнительного образования детей» as a party: the demo's Дом детского творчества
    gives preventive support to a school of municipality A that is not on the list (so the list keeps a school with
    no curator for the dashboards to show) under an agreement in force; its curator (`curator_org`) logs sessions."""
    from schools.demo import ORGANISATION_CURATOR

    from .selectors import listed_schools

    organisation = Organisation.objects.filter(short_name=ORGANISATION_CURATOR).first()
    curator = get_user_model().objects.filter(username="curator_org").first()
    if organisation is None or curator is None:
        return None
    supported = (
        School.objects.filter(municipality=municipality)
        .exclude(pk__in=listed_schools().values("pk"))
        .exclude(pk__in=[school.pk for school in exclude])
        .exclude(short_name=CURATOR_SCHOOL)
        .order_by("short_name")
        .first()
    )
    if supported is None:
        return None
    return _seed_agreement(
        number=ORGANISATION_AGREEMENT, file_key="3", curator_organisation=organisation, supported_school=supported,
        coordinator=coordinator, curator=curator, school_user=None, factors=factors, today=today,
        statuses=[SupportSession.Status.CONFIRMED, SupportSession.Status.PENDING],
    )  # fmt: skip


@transaction.atomic
def seed_partnerships() -> dict[str, int]:
    """Create the partnerships demo; a second run changes nothing. Needs the demo region, users and approved list."""
    from schools.demo import MUNICIPALITY_A

    users = get_user_model().objects.in_bulk(
        ["department", "coordinator", "school", "curator", "tutor"], field_name="username"
    )
    if len(users) < 5:
        return {}
    today = timezone.localdate()
    factors = ensure_reference_data()
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    curator_school = School.objects.get(municipality=municipality, short_name=CURATOR_SCHOOL)
    supported = School.objects.get(municipality=municipality, short_name=SUPPORTED_SCHOOL)
    second = _second_school(municipality, supported)
    common = {
        "curator_school": curator_school, "coordinator": users["coordinator"], "curator": users["curator"],
        "factors": factors, "today": today,
    }  # fmt: skip
    _seed_agreement(
        number="1-ШНОР", file_key="1", supported_school=supported, school_user=users["school"], **common,
        statuses=[SupportSession.Status.CONFIRMED, SupportSession.Status.CONFIRMED, SupportSession.Status.DISPUTED,
                  SupportSession.Status.PENDING],
    )  # fmt: skip
    _seed_agreement(
        number="2-ШНОР", file_key="2", supported_school=second, school_user=None, **common,
        statuses=[SupportSession.Status.CONFIRMED, SupportSession.Status.CONFIRMED],
    )  # fmt: skip
    _seed_organisation_agreement(
        municipality=municipality, exclude=[supported, second], factors=factors, today=today,
        coordinator=users["coordinator"],
    )  # fmt: skip
    _seed_teachers(
        school=supported, school_user=users["school"], coordinator=users["coordinator"], tutor=users["tutor"],
        factors=factors, today=today,
    )  # fmt: skip
    _seed_practices(
        curator_school=curator_school, school=supported, curator=users["curator"], school_user=users["school"],
        coordinator=users["coordinator"], tutor=users["tutor"], factors=factors, today=today,
    )  # fmt: skip
    _seed_events(
        municipality=municipality, curator_school=curator_school, department=users["department"],
        coordinator=users["coordinator"], today=today,
    )  # fmt: skip
    _seed_teachers_webinar(school=supported, department=users["department"], today=today)
    _seed_course(municipality=municipality, coordinator=users["coordinator"], department=users["department"], today=today)
    _seed_targets(region=municipality.region, today=today)
    return {
        "agreements": Agreement.objects.count(),
        "sessions": SupportSession.objects.count(),
        "teachers": Teacher.objects.count(),
        "plans": DevelopmentPlan.objects.count(),
        "tutor_assignments": TutorAssignment.objects.count(),
        "practices": Practice.objects.count(),
        "events": MethodicalEvent.objects.count(),
    }
