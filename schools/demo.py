"""A believable demo region: municipalities, schools and one user per role.

Deterministic and idempotent: every object is found by its natural key, so a
second run changes nothing.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from .measures import measures_by_code
from .models import (
    IdentificationRun,
    Municipality,
    Organisation,
    Region,
    RoleAssignment,
    School,
    SchoolResult,
    SchoolYearProfile,
)
from .services import role_assign

DEMO_PASSWORD = "demo12345"
REGION = ("Северо-Озёрская область", "99")

# (name, kind, [(short name, full name, kind), …]); the first two are municipality A and B of the demo users.
MUNICIPALITIES = [
    (
        "Заречный муниципальный район",
        Municipality.Kind.DISTRICT,
        [
            ("Заречная СОШ № 1", "Муниципальное общеобразовательное учреждение «Заречная средняя общеобразовательная школа № 1»", School.Kind.SOSH),
            ("Заречная СОШ № 2", "Муниципальное общеобразовательное учреждение «Заречная средняя общеобразовательная школа № 2»", School.Kind.SOSH),
            ("Гимназия г. Заречный", "Муниципальное общеобразовательное учреждение «Гимназия г. Заречный»", School.Kind.GYMNASIUM),
            ("Покровская СОШ", "Муниципальное общеобразовательное учреждение «Покровская средняя общеобразовательная школа»", School.Kind.SOSH),
            ("Никольская ООШ", "Муниципальное общеобразовательное учреждение «Никольская основная общеобразовательная школа»", School.Kind.OOSH),
            ("Берёзовская ООШ", "Муниципальное общеобразовательное учреждение «Берёзовская основная общеобразовательная школа»", School.Kind.OOSH),
            ("Луговская НОШ", "Муниципальное общеобразовательное учреждение «Луговская начальная общеобразовательная школа»", School.Kind.NOSH),
            ("Ильинская СОШ", "Муниципальное общеобразовательное учреждение «Ильинская средняя общеобразовательная школа»", School.Kind.SOSH),
        ],
    ),
    (
        "Озёрский городской округ",
        Municipality.Kind.CITY_OKRUG,
        [
            ("Лицей № 1 г. Озёрск", "Муниципальное автономное общеобразовательное учреждение «Лицей № 1» г. Озёрска", School.Kind.LYCEUM),
            ("СОШ № 3 г. Озёрск", "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 3» г. Озёрска", School.Kind.SOSH),
            ("СОШ № 5 г. Озёрск", "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 5» г. Озёрска", School.Kind.SOSH),
            ("СОШ № 7 г. Озёрск", "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 7» г. Озёрска", School.Kind.SOSH),
            ("Гимназия № 2 г. Озёрск", "Муниципальное автономное общеобразовательное учреждение «Гимназия № 2» г. Озёрска", School.Kind.GYMNASIUM),
            ("ООШ № 9 г. Озёрск", "Муниципальное бюджетное общеобразовательное учреждение «Основная общеобразовательная школа № 9» г. Озёрска", School.Kind.OOSH),
            ("Школа-интернат г. Озёрск", "Государственное общеобразовательное учреждение «Школа-интернат» г. Озёрска", School.Kind.BOARDING),
        ],
    ),
    (
        "Лесногорский муниципальный округ",
        Municipality.Kind.MUNICIPAL_OKRUG,
        [
            ("Лесногорская СОШ № 1", "Муниципальное общеобразовательное учреждение «Лесногорская средняя общеобразовательная школа № 1»", School.Kind.SOSH),
            ("Лесногорская СОШ № 2", "Муниципальное общеобразовательное учреждение «Лесногорская средняя общеобразовательная школа № 2»", School.Kind.SOSH),
            ("Сосновская СОШ", "Муниципальное общеобразовательное учреждение «Сосновская средняя общеобразовательная школа»", School.Kind.SOSH),
            ("Каменская ООШ", "Муниципальное общеобразовательное учреждение «Каменская основная общеобразовательная школа»", School.Kind.OOSH),
            ("Ракитинская ООШ", "Муниципальное общеобразовательное учреждение «Ракитинская основная общеобразовательная школа»", School.Kind.OOSH),
            ("Высоковская НОШ", "Муниципальное общеобразовательное учреждение «Высоковская начальная общеобразовательная школа»", School.Kind.NOSH),
            ("Лесногорский лицей", "Муниципальное общеобразовательное учреждение «Лесногорский лицей»", School.Kind.LYCEUM),
        ],
    ),
    (
        "Светлоярский муниципальный район",
        Municipality.Kind.DISTRICT,
        [
            ("Светлоярская СОШ № 1", "Муниципальное общеобразовательное учреждение «Светлоярская средняя общеобразовательная школа № 1»", School.Kind.SOSH),
            ("Светлоярская гимназия", "Муниципальное общеобразовательное учреждение «Светлоярская гимназия»", School.Kind.GYMNASIUM),
            ("Дубровская СОШ", "Муниципальное общеобразовательное учреждение «Дубровская средняя общеобразовательная школа»", School.Kind.SOSH),
            ("Малиновская ООШ", "Муниципальное общеобразовательное учреждение «Малиновская основная общеобразовательная школа»", School.Kind.OOSH),
            ("Знаменская СОШ", "Муниципальное общеобразовательное учреждение «Знаменская средняя общеобразовательная школа»", School.Kind.SOSH),
            ("Ольховская НОШ", "Муниципальное общеобразовательное учреждение «Ольховская начальная общеобразовательная школа»", School.Kind.NOSH),
        ],
    ),
    (
        "Каменский муниципальный район",
        Municipality.Kind.DISTRICT,
        [
            ("Каменская СОШ № 1", "Муниципальное общеобразовательное учреждение «Каменская средняя общеобразовательная школа № 1»", School.Kind.SOSH),
            ("Каменская СОШ № 2", "Муниципальное общеобразовательное учреждение «Каменская средняя общеобразовательная школа № 2»", School.Kind.SOSH),
            ("Борисовская СОШ", "Муниципальное общеобразовательное учреждение «Борисовская средняя общеобразовательная школа»", School.Kind.SOSH),
            ("Троицкая ООШ", "Муниципальное общеобразовательное учреждение «Троицкая основная общеобразовательная школа»", School.Kind.OOSH),
            ("Васильевская ООШ", "Муниципальное общеобразовательное учреждение «Васильевская основная общеобразовательная школа»", School.Kind.OOSH),
            ("Каменская школа-интернат", "Государственное общеобразовательное учреждение «Каменская школа-интернат»", School.Kind.BOARDING),
        ],
    ),
]

MUNICIPALITY_A = MUNICIPALITIES[0][0]
MUNICIPALITY_B = MUNICIPALITIES[1][0]
SCHOOL_TEAM_SCHOOL = "Покровская СОШ"
CURATOR_SCHOOL = "Гимназия г. Заречный"

Role = RoleAssignment.Role

# username, last name, first name (with patronymic), role, scope; shown on the login page in demo mode.
# The registry of organisations besides schools (issue 18, item 8): seed 000's «организации дополнительного
# образования детей», seed 003's innovation platforms, seed 004's institute (ЦНППМПР). (short name, full name, kind,
# municipality or None for the region's level, head, head's position)
ORGANISATION_CURATOR = "ДДТ г. Заречный"
INSTITUTE = "ЦНППМПР ИРО"  # the institute of education development, whose expert reviews evidence (programs.demo_routes)
ORGANISATIONS = [
    (ORGANISATION_CURATOR, "Муниципальное бюджетное учреждение дополнительного образования «Дом детского творчества» "
     "г. Заречный", "supplementary", MUNICIPALITY_A, "Лебедева Марина Игоревна", "директор"),
    ("РИП «Школа равных возможностей»", "Региональная инновационная площадка «Школа равных возможностей»", "innovation_platform", None, "Григорьев Павел Андреевич", "руководитель площадки"),
    (INSTITUTE, "Центр непрерывного повышения профессионального мастерства педагогических работников "
     "Института развития образования Северо-Озёрской области", "institute", None, "Зайцева Анна Викторовна",
     "руководитель центра"),
]  # fmt: skip

DEMO_USERS = [
    ("department", "Соколова", "Ирина Петровна", Role.DEPARTMENT, REGION[0], f"министерство образования: {REGION[0]}"),
    ("department_b", "Лаптева", "Вера Анатольевна", Role.DEPARTMENT, "Пермский край", "министерство образования: Пермский край (второй регион)"),
    ("district", "Воронцов", "Павел Игоревич", Role.DEPARTMENT, MUNICIPALITY_A, f"управление образования района: {MUNICIPALITY_A}"),
    ("institute", "Зайцева", "Анна Викторовна", Role.INSTITUTE, REGION[0], f"институт развития образования: {REGION[0]}"),
    ("federal", "Фёдорова", "Елена Михайловна", Role.FEDERAL, None, "федеральный оператор: все регионы, только чтение"),
    ("coordinator", "Михайлов", "Андрей Сергеевич", Role.COORDINATOR, MUNICIPALITY_A, f"муниципальный координатор: {MUNICIPALITY_A}"),
    ("coordinator_b", "Кузнецова", "Ольга Викторовна", Role.COORDINATOR, MUNICIPALITY_B, f"координатор другого муниципалитета: {MUNICIPALITY_B}"),
    ("school", "Орлова", "Наталья Ивановна", Role.SCHOOL_TEAM, SCHOOL_TEAM_SCHOOL, f"управленческая команда: {SCHOOL_TEAM_SCHOOL}"),
    ("curator", "Белов", "Дмитрий Александрович", Role.CURATOR, CURATOR_SCHOOL, f"школа-куратор: {CURATOR_SCHOOL}"),
    ("tutor", "Егорова", "Светлана Николаевна", Role.TUTOR, MUNICIPALITY_A, f"тьютор: {MUNICIPALITY_A}"),
    ("curator_org", "Лебедева", "Марина Игоревна", Role.CURATOR, ORGANISATION_CURATOR, f"организация-куратор: {ORGANISATION_CURATOR}"),
    ("expert", "Экспертова", "Наталья Ивановна", Role.EXPERT, INSTITUTE, f"эксперт организации: {INSTITUTE}"),
]


# Three finished school years of results and profiles; the list of the middle one is approved in the demo,
# the last one waits for the department to run and approve.
DEMO_YEARS = (2022, 2023, 2024, 2025, 2026)
APPROVED_YEAR = 2025

URBAN_SCHOOLS = {
    "Заречная СОШ № 1", "Заречная СОШ № 2", "Гимназия г. Заречный", "Лесногорская СОШ № 1", "Лесногорская СОШ № 2",
    "Лесногорский лицей", "Светлоярская СОШ № 1", "Светлоярская гимназия", "Каменская СОШ № 1", "Каменская СОШ № 2",
}
# The latent quality of teaching (0 weak … 1 strong) of a few schools, per year; the rest follow their kind.
WEAK_SCHOOLS = {
    "Покровская СОШ": (0.1, 0.08, 0.06, 0.05, 0.08),
    "Никольская ООШ": (0.2, 0.15, 0.15, 0.1, 0.12),
    "Берёзовская ООШ": (0.25, 0.2, 0.2, 0.14, 0.16),
    "СОШ № 7 г. Озёрск": (0.15, 0.1, 0.1, 0.12, 0.08),
    "ООШ № 9 г. Озёрск": (0.2, 0.18, 0.18, 0.12, 0.15),
    "Каменская ООШ": (0.2, 0.15, 0.12, 0.18, 0.1),
    "Троицкая ООШ": (0.2, 0.16, 0.14, 0.1, 0.16),
    "Дубровская СОШ": (0.3, 0.25, 0.22, 0.26, 0.2),
    "Ильинская СОШ": (0.7, 0.66, 0.62, 0.48, 0.36),  # falling: the preventive flag
}
KIND_QUALITY = {
    School.Kind.GYMNASIUM: 0.85, School.Kind.LYCEUM: 0.85, School.Kind.SOSH: 0.5, School.Kind.OOSH: 0.42,
    School.Kind.NOSH: 0.45, School.Kind.BOARDING: 0.3, School.Kind.OTHER: 0.4,
}


def _quality(school: School, index: int, rng: random.Random) -> float:
    if school.short_name in WEAK_SCHOOLS:
        return WEAK_SCHOOLS[school.short_name][index]
    base = KIND_QUALITY[school.kind] - (0.08 if school.locality == School.Locality.RURAL else 0)
    return min(0.95, max(0.05, base + rng.uniform(-0.12, 0.12)))


def _base_pupils(school: School, rng: random.Random) -> int:
    if school.kind == School.Kind.NOSH:
        return rng.randint(12, 40)
    if school.locality == School.Locality.URBAN:
        return rng.randint(450, 1100)
    return rng.randint(60, 260)


def _demo_school_year(school: School, quality: float, base_pupils: int, rng: random.Random):
    """Believable results and a profile of one school in one year (deterministic for a given rng)."""
    urban = school.locality == School.Locality.URBAN
    pupils = round(base_pupils * rng.uniform(0.95, 1.05))
    adversity = 1 - quality
    profile = {
        "pupils": pupils,
        "graduates_9": 0 if school.kind == School.Kind.NOSH else max(2, pupils // 11 + rng.randint(-2, 2)),
        "graduates_11": max(2, pupils // 22 + rng.randint(-2, 2)) if school.kind not in (School.Kind.OOSH, School.Kind.NOSH) else 0,
        "teachers": max(4, pupils // 14),
        "vacancies": rng.randint(0, 3 if urban else 2),
        "share_low_income": round(min(80, 8 + 40 * adversity + rng.uniform(-4, 4)), 1),
        "share_single_parent": round(min(70, 18 + 28 * adversity + rng.uniform(-4, 4)), 1),
        "pupils_on_register": round(pupils * (0.005 + 0.03 * adversity) + rng.uniform(0, 1)),
        "share_special_needs": round(min(60, 3 + 18 * adversity + rng.uniform(-2, 2)), 1),
        "share_parents_higher_education": round(max(3, 55 - 45 * adversity + rng.uniform(-5, 5)), 1),
    }
    profile["teachers_under_35"] = round(profile["teachers"] * rng.uniform(0.1, 0.3))
    profile["teachers_over_55"] = round(profile["teachers"] * rng.uniform(0.2, 0.45))
    profile["teachers_highest_category"] = round(profile["teachers"] * (0.15 + 0.3 * quality))
    profile["teachers_first_category"] = round(profile["teachers"] * rng.uniform(0.2, 0.35))

    results = {}
    if profile["graduates_11"]:
        graduates = profile["graduates_11"]
        results["ege-graduates"] = graduates
        results["ege-russian-participants"] = graduates
        results["ege-russian-below_min"] = sum(rng.random() < 0.1 * adversity**2 for _ in range(graduates))
        if quality < 0.2:  # the weakest schools always lose somebody below the minimum
            results["ege-russian-below_min"] = max(1, results["ege-russian-below_min"])
        results["ege-russian-high_80_99"] = sum(rng.random() < 0.3 * quality**2 for _ in range(graduates))
        results["ege-russian-mean_score"] = round(56 + 22 * quality + rng.uniform(-3, 3), 2)
        math = max(1, round(graduates * (0.3 + 0.3 * quality)))
        results["ege-math_profile-participants"] = math
        results["ege-math_profile-below_min"] = sum(rng.random() < 0.32 * adversity**1.5 for _ in range(math))
        results["ege-math_profile-mean_score"] = round(38 + 30 * quality + rng.uniform(-4, 4), 2)
    if profile["graduates_9"]:
        graduates = profile["graduates_9"]
        results["oge-math-participants"] = graduates
        results["oge-math-below_min"] = sum(rng.random() < 0.22 * adversity**1.5 for _ in range(graduates))
        results["oge-russian-participants"] = graduates
        results["oge-russian-mean_score"] = round(3.1 + 1.4 * quality + rng.uniform(-0.15, 0.15), 2)
    return profile, results


def _seed_results(schools: list[School]) -> None:
    codes = {
        "ege-graduates", "ege-russian-participants", "ege-russian-below_min", "ege-russian-high_80_99",
        "ege-russian-mean_score", "ege-math_profile-participants", "ege-math_profile-below_min",
        "ege-math_profile-mean_score", "oge-math-participants", "oge-math-below_min", "oge-russian-participants",
        "oge-russian-mean_score",
    }
    measures = measures_by_code(codes)
    have_profiles = set(SchoolYearProfile.objects.values_list("school_id", "year"))
    have_results = set(SchoolResult.objects.values_list("school_id", "year"))
    profiles, results = [], []
    for school in schools:
        rng = random.Random(f"{school.municipality.name}/{school.short_name}")
        base_pupils = _base_pupils(school, rng)
        for index, year in enumerate(DEMO_YEARS):
            profile, values = _demo_school_year(school, _quality(school, index, rng), base_pupils, rng)
            if (school.pk, year) not in have_profiles:
                profiles.append(SchoolYearProfile(school=school, year=year, **profile))
            if (school.pk, year) not in have_results:
                results.extend(
                    SchoolResult(school=school, year=year, measure=measures[code], value=value)
                    for code, value in values.items()
                )
    SchoolYearProfile.objects.bulk_create(profiles)
    SchoolResult.objects.bulk_create(results)


def _seed_approved_list(department_user) -> None:
    from .identification import criteria_ensure_for_year, run_execute, run_start
    from .selection import list_approve

    region = Region.objects.get(name=REGION[0])
    for year in DEMO_YEARS:
        criteria_ensure_for_year(region_id=region.pk, year=year)
    if IdentificationRun.objects.filter(region=region, year=APPROVED_YEAR).exists():
        return
    run = run_start(region_id=region.pk, year=APPROVED_YEAR, actor=department_user, note="Демо: перечень прошлого года")
    run_execute(run)
    list_approve(run=run, actor=department_user, order_number="112-о", order_date=datetime.date(APPROVED_YEAR - 1, 8, 28))


@transaction.atomic
def seed_registry() -> dict[str, int]:
    """The demo region: municipalities, schools, a user for every role, results for three years and the approved list
    of last year. Idempotent."""
    region, _ = Region.objects.get_or_create(
        name=REGION[0], defaults={"code": REGION[1], "department_name": "Министерство образования Северо-Озёрской области"}
    )
    municipalities = {}
    schools = {}
    for name, kind, school_rows in MUNICIPALITIES:
        municipality, _ = Municipality.objects.get_or_create(region=region, name=name, defaults={"kind": kind})
        municipalities[name] = municipality
        for short_name, full_name, school_kind in school_rows:
            school, _ = School.objects.get_or_create(
                municipality=municipality,
                short_name=short_name,
                defaults={
                    "name": full_name,
                    "kind": school_kind,
                    "locality": _locality(kind, short_name),
                    "is_small": school_kind in (School.Kind.NOSH, School.Kind.OOSH) and kind != Municipality.Kind.CITY_OKRUG,
                    "address": f"{REGION[0]}, {name}",
                },
            )
            schools[(name, short_name)] = school
    schools_give_directors(schools.values())
    organisations = _seed_organisations(region, municipalities)

    User = get_user_model()
    for username, last_name, first_name, role, scope, _label in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"last_name": last_name, "first_name": first_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if scope in organisations:
            role_assign(user=user, role=role, organisation=organisations[scope])
        elif role in RoleAssignment.TERRITORY_ROLES and scope not in municipalities:
            # a region's role; the second region comes with seed 004's territory (portal.demo_territories)
            if scope_region := Region.objects.filter(name=scope).first():
                role_assign(user=user, role=role, region=scope_region)
        elif role in RoleAssignment.MUNICIPAL_ROLES | RoleAssignment.TERRITORY_ROLES:
            role_assign(user=user, role=role, municipality=municipalities[scope])
        elif role in RoleAssignment.SCHOOL_ROLES:
            role_assign(user=user, role=role, school=schools[(MUNICIPALITY_A, scope)])
        elif role == Role.FEDERAL:
            role_assign(user=user, role=role)
    from .clusters import clusters_assign

    clusters_assign()
    _seed_results(list(School.objects.select_related("municipality").order_by("pk")))
    _seed_approved_list(User.objects.get(username="department"))
    return {"municipalities": len(municipalities), "schools": len(schools), "users": len(DEMO_USERS)}


def _seed_organisations(region: Region, municipalities: dict) -> dict[str, Organisation]:
    organisations = {}
    for short_name, name, kind, municipality, head_name, head_position in ORGANISATIONS:
        organisations[short_name], _ = Organisation.objects.get_or_create(
            region=region, short_name=short_name,
            defaults={"name": name, "kind": kind, "municipality": municipalities.get(municipality),
                      "head_name": head_name, "head_position": head_position},
        )  # fmt: skip
    return organisations


def _locality(municipality_kind: str, short_name: str) -> str:
    if municipality_kind == Municipality.Kind.CITY_OKRUG or short_name in URBAN_SCHOOLS:
        return School.Locality.URBAN
    return School.Locality.RURAL


# The directors of the demo's schools (the agreement's preamble and signatures print them; a school without one
# has its name asked for before the agreement prints). Made up from these parts, one name per school.
_SURNAMES = ["Андреев", "Богданов", "Васильев", "Григорьев", "Данилов", "Ершов", "Жуков", "Зайцев", "Ильин",
             "Карпов", "Лукин", "Макаров", "Никитин", "Осипов", "Павлов", "Романов", "Семёнов", "Тихонов",
             "Устинов", "Фролов"]  # fmt: skip
_NAMES = {
    "m": ["Алексей", "Виктор", "Геннадий", "Дмитрий", "Евгений", "Игорь", "Константин", "Михаил", "Олег", "Юрий"],
    "f": ["Анна", "Валентина", "Галина", "Елена", "Ирина", "Людмила", "Марина", "Ольга", "Светлана", "Татьяна"],
}
_PATRONYMICS = [("Александрович", "Александровна"), ("Борисович", "Борисовна"), ("Владимирович", "Владимировна"),
                ("Николаевич", "Николаевна"), ("Петрович", "Петровна"), ("Сергеевич", "Сергеевна"),
                ("Фёдорович", "Фёдоровна")]  # fmt: skip


def director_name(number: int) -> str:
    """The `number`th made-up director: «Андреев Алексей Александрович», «Богданова Валентина Борисовна», …"""
    female = number % 2 == 1
    surname = _SURNAMES[number % len(_SURNAMES)] + ("а" if female else "")
    names = _NAMES["f" if female else "m"]
    patronymic = _PATRONYMICS[(number * 3) % len(_PATRONYMICS)][1 if female else 0]
    return f"{surname} {names[(number // 2) % len(names)]} {patronymic}"


def schools_give_directors(schools, *, start: int = 0) -> None:
    """Give each school without a director one (by its position, so that a second run changes nothing)."""
    for number, school in enumerate(schools, start=start):
        if not school.director:
            school.director = director_name(number)
            school.save(update_fields=["director"])
