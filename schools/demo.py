"""A believable demo region: municipalities, schools and one user per role.

Deterministic and idempotent: every object is found by its natural key, so a
second run changes nothing.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Municipality, Region, RoleAssignment, School
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
SCHOOL_TEAM_SCHOOL = "Никольская ООШ"
CURATOR_SCHOOL = "Гимназия г. Заречный"

Role = RoleAssignment.Role

# username, last name, first name (with patronymic), role, scope; shown on the login page in demo mode.
DEMO_USERS = [
    ("department", "Соколова", "Ирина Петровна", Role.DEPARTMENT, None, "управление образования (всё)"),
    ("coordinator", "Михайлов", "Андрей Сергеевич", Role.COORDINATOR, MUNICIPALITY_A, f"муниципальный координатор: {MUNICIPALITY_A}"),
    ("coordinator_b", "Кузнецова", "Ольга Викторовна", Role.COORDINATOR, MUNICIPALITY_B, f"координатор другого муниципалитета: {MUNICIPALITY_B}"),
    ("school", "Орлова", "Наталья Ивановна", Role.SCHOOL_TEAM, SCHOOL_TEAM_SCHOOL, f"управленческая команда: {SCHOOL_TEAM_SCHOOL}"),
    ("curator", "Белов", "Дмитрий Александрович", Role.CURATOR, CURATOR_SCHOOL, f"школа-куратор: {CURATOR_SCHOOL}"),
    ("tutor", "Егорова", "Светлана Николаевна", Role.TUTOR, MUNICIPALITY_A, f"тьютор: {MUNICIPALITY_A}"),
]


@transaction.atomic
def seed_demo() -> dict[str, int]:
    region, _ = Region.objects.get_or_create(name=REGION[0], defaults={"code": REGION[1]})
    municipalities = {}
    schools = {}
    for name, kind, school_rows in MUNICIPALITIES:
        municipality, _ = Municipality.objects.get_or_create(region=region, name=name, defaults={"kind": kind})
        municipalities[name] = municipality
        for short_name, full_name, school_kind in school_rows:
            school, _ = School.objects.get_or_create(
                municipality=municipality, short_name=short_name, defaults={"name": full_name, "kind": school_kind}
            )
            schools[(name, short_name)] = school

    User = get_user_model()
    for username, last_name, first_name, role, scope, _label in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"last_name": last_name, "first_name": first_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if role in RoleAssignment.MUNICIPAL_ROLES:
            role_assign(user=user, role=role, municipality=municipalities[scope])
        elif role in RoleAssignment.SCHOOL_ROLES:
            role_assign(user=user, role=role, school=schools[(MUNICIPALITY_A, scope)])
        else:
            role_assign(user=user, role=role)
    return {"municipalities": len(municipalities), "schools": len(schools), "users": len(DEMO_USERS)}
