"""The demo's second territory: seed 004's regional project («Адресная методическая помощь общеобразовательным
организациям, имеющим низкие образовательные результаты обучающихся», Пермский край, 2023) set up as its department
would set it on the portal — the institute (ЦНППМПР), the targets, the monitoring calendar of two stages, the review
route of its schools' programmes, its acts, its own plan-schedule (`demo_regional_plan`) and the webinar whose target
is «100 % специалистов муниципальных методических служб». The demo region itself runs seed 002's model (its targets, calendar and indicators come with the apps'
demos); docs/MODELS.md, «Демо: модели seed 002 и seed 004», lists both.

Two municipalities with two schools each stand for the project's participants; they have no results, so they are
outside the demo's approved list until the department identifies them. Everything is made through the apps'
services, by the demo's department, and found by its natural key: a second run changes nothing.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from monitoring.calendar_services import monitoring_stage_save
from monitoring.models import MonitoringStage
from partnerships.models import MethodicalEvent, SupportTarget
from partnerships.services.event_people import attendance_people_save, attendee_add
from partnerships.services.events import event_create
from programs.demo_routes import SEED_004_STEPS
from programs.review_routes import ReviewRoute, ReviewStep
from programs.route_services import route_problems
from schools.act_services import act_create
from schools.demo import schools_give_directors
from schools.models import Act, Municipality, Organisation, Region, RoleAssignment, School
from schools.services import role_assign

from .demo_acts import PDF
from .demo_regional_plan import seed_regional_indicators, seed_regional_plan

REGION = ("Пермский край", "59")
# (municipality, kind, [(school short name, full name)])
MUNICIPALITIES = [
    ("Кочёвский муниципальный округ", Municipality.Kind.MUNICIPAL_OKRUG, [
        ("Кочёвская СОШ", "МБОУ «Кочёвская средняя общеобразовательная школа»"),
        ("Пелымская ООШ", "МБОУ «Пелымская основная общеобразовательная школа»"),
    ]),
    ("Гайнский муниципальный округ", Municipality.Kind.MUNICIPAL_OKRUG, [
        ("Гайнская СОШ", "МБОУ «Гайнская средняя общеобразовательная школа»"),
        ("Сёйвинская ООШ", "МБОУ «Сёйвинская основная общеобразовательная школа»"),
    ]),
]  # fmt: skip
INSTITUTE = ("ЦНППМПР ГАУ ДПО «ИРО ПК»", "Центр непрерывного повышения профессионального мастерства педагогических "
             "работников ГАУ ДПО «Институт развития образования Пермского края»")  # fmt: skip
# The project runs through the calendar year 2023; the portal counts by school year, and the department keeps the
# project's calendar, targets and route on 2023/24 (its stage 1 in June lies before that school year, as the
# calendar allows).
PROJECT_YEAR = 2024
BASIS = "Положение о краевом проекте «Адресная методическая помощь…» и его план-график на 2023 год"
# «Не менее 80 % ШНОР приняли участие в информационно-методических мероприятиях» (Положение, п. 3.1.4).
EVENT_PARTICIPATION = 80
# «мониторинга 2 этапа … Ноябрь» (план-график, п. 17); stage 1 with the June expertise of п. 11.
STAGES = [
    ("stage-1", "Мониторинг 1 этапа", datetime.date(2023, 6, 1), datetime.date(2023, 6, 30)),
    ("stage-2", "Мониторинг 2 этапа", datetime.date(2023, 11, 1), datetime.date(2023, 11, 30)),
]
WEBINAR = ("Вебинар «Актуальные аспекты системы работы со школами с низкими образовательными результатами "
           "в Пермском крае в 2023 году»")  # fmt: skip
CONCEPT_ORDER = "26-01-06-542"
DEPARTMENT_NAME = "Министерство образования и науки Пермского края"


def seed_territories() -> dict[str, int]:
    """The second region with its own department (`department_b`), who keeps its calendar, route and acts."""
    department = get_user_model().objects.filter(username="department_b").first()
    if department is None:
        return {}
    region, _ = Region.objects.get_or_create(
        name=REGION[0], defaults={"code": REGION[1], "department_name": DEPARTMENT_NAME}
    )
    role_assign(user=department, role=RoleAssignment.Role.DEPARTMENT, region=region)
    municipalities = _registry(region)
    institute, _ = Organisation.objects.get_or_create(
        region=region, short_name=INSTITUTE[0], defaults={"name": INSTITUTE[1], "kind": Organisation.Kind.INSTITUTE}
    )
    SupportTarget.objects.get_or_create(
        region=region, year=PROJECT_YEAR, defaults={"event_participation": EVENT_PARTICIPATION, "basis": BASIS}
    )
    for position, (code, name, starts_on, due_on) in enumerate(STAGES, start=1):
        if not MonitoringStage.objects.filter(region=region, year=PROJECT_YEAR, code=code).exists():
            monitoring_stage_save(
                actor=department, region=region, year=PROJECT_YEAR,
                data={"code": code, "name": name, "position": position, "starts_on": starts_on, "due_on": due_on,
                      "basis": BASIS},
            )  # fmt: skip
    _route(region)
    _acts(department)
    _webinar(department, municipalities)
    plan = seed_regional_plan(department, region)
    seed_regional_indicators(department, plan, year=PROJECT_YEAR, stage=STAGES[-1][0])
    return {"municipalities": len(municipalities), "organisations": 1 if institute else 0}


def _registry(region: Region) -> list[Municipality]:
    municipalities, schools = [], []
    for name, kind, school_rows in MUNICIPALITIES:
        municipality, _ = Municipality.objects.get_or_create(region=region, name=name, defaults={"kind": kind})
        municipalities.append(municipality)
        for short_name, full_name in school_rows:
            school, _ = School.objects.get_or_create(
                municipality=municipality, short_name=short_name,
                defaults={"name": full_name, "kind": School.Kind.OOSH if "ООШ" in short_name else School.Kind.SOSH,
                          "locality": School.Locality.RURAL, "address": f"{REGION[0]}, {name}"},
            )  # fmt: skip
            schools.append(school)
    schools_give_directors(schools, start=100)  # other names than the first region's
    return municipalities


def _route(region: Region) -> ReviewRoute:
    """The plan-schedule's reviews, in order (`programs.demo_routes.SEED_004_STEPS`): the municipal expertise in
    June decides; the mutual review of September by a school of another municipality and the institute's review of
    the evidence of stage 2 in November advise."""
    route, created = ReviewRoute.objects.get_or_create(region=region, owner="school", defaults={"basis": BASIS})
    if created:
        steps = [ReviewStep(route=route, position=n, **fields) for n, fields in enumerate(SEED_004_STEPS, start=1)]
        for step in steps:
            step.full_clean(exclude=["route"])
        assert not route_problems(steps), route_problems(steps)
        ReviewStep.objects.bulk_create(steps)
    return route


def _acts(department) -> None:
    """The concept the project follows (an act of the region) and the project's Положение."""
    acts = [
        dict(kind=Act.Kind.ORDER, number=CONCEPT_ORDER, date=datetime.date(2022, 6, 10),
             title="Об утверждении Концепции системы работы со школами с низкими результатами обучения и школами, "
                   "функционирующими в неблагоприятных социальных условиях, в Пермском крае до 2024 года",
             issuer="Министерство образования и науки Пермского края"),
        dict(kind=Act.Kind.REGULATION, number="б/н", date=datetime.date(2023, 5, 15),
             title="Положение о краевом проекте «Адресная методическая помощь общеобразовательным организациям, "
                   "имеющим низкие образовательные результаты обучающихся»",
             issuer="Министерство образования и науки Пермского края"),
    ]  # fmt: skip
    for fields in acts:
        if not Act.objects.filter(number=fields["number"], date=fields["date"]).exists():
            act_create(actor=department, fields=fields, file=ContentFile(PDF, name=f"акт-{fields['date']:%Y%m%d}.pdf"))


def _webinar(department, municipalities: list[Municipality]) -> None:
    """План-график, п. 10: «Вебинар … Май … 100 % специалистов муниципальных методических служб/центров/МОУО … приняли
    участие» — two specialists of each municipality invited by name; one of the four missed it, so the target is not
    met (75 %)."""
    if MethodicalEvent.objects.filter(title=WEBINAR).exists():
        return
    event = event_create(
        actor=department, title=WEBINAR, format=MethodicalEvent.Format.WEBINAR, held_on=datetime.date(2023, 5, 25),
        municipality=None, organiser="МОН ПК, ЦНППМПР", place="https://vebinar.example.ru/perm-2023",
        target_group=MethodicalEvent.TargetGroup.SPECIALISTS, target_share=100, municipalities=municipalities,
    )  # fmt: skip
    people = [
        attendee_add(event=event, actor=department, kind="specialist", municipality=municipality,
                     full_name=f"{surname} ({municipality.name.split()[0]})", position=position)
        for municipality in municipalities
        for surname, position in (("Специалист МОУО", "специалист МОУО"), ("Методист ММС", "методист"))
    ]  # fmt: skip
    attendance_people_save(event=event, actor=department, marks={p.pk: (n != 0, None, None) for n, p in enumerate(people)})
