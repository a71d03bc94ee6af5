"""Schools the results import creates get a locality guessed from their name and municipality, the graduates of
the file in their yearly profile, and a cluster by the rule."""

from collections import Counter

import pytest

from schools.ege_workbook import parse_ege_workbook
from schools.models import Municipality, School, SchoolResult, SchoolYearProfile
from schools.results_import import results_import_preview, results_import_save
from schools.school_names import guess_locality
from tests.schools.test_ege_workbook import JEWISH_AO, real_workbook

RURAL, URBAN, UNKNOWN = School.Locality.RURAL, School.Locality.URBAN, School.Locality.UNKNOWN


def municipality(name: str, kind=Municipality.Kind.DISTRICT) -> Municipality:
    return Municipality(name=name, kind=kind)


# Names as they stand in the ЕГЭ returns of Забайкальский край and the Jewish autonomous region (2022–2023).
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('Муниципальное бюджетное общеобразовательное учреждение "Средняя общеобразовательная школа с. Урейск"', RURAL),
        ('МКОУ "СОШ с.Бирофельд"', RURAL),
        ('МКОУ "СОШ им.И.А. Пришкольника с.Валдгейм"', RURAL),
        ('МКОУ "СОШ № 18 п.Теплозерск"', RURAL),
        ('МБОУ СОШ № 15 п.Биракан"', RURAL),
        ("Муниципальное общеобразовательное учреждение средняя общеобразовательная школа №10 п. Букачача", RURAL),
        ('Муниципальное бюджетное общеобразовательное учреждение "Средняя общеобразовательная школа п.с.т. Заречный"',
         RURAL),
        ("Муниципальное бюджетное общеобразовательное учреждение средняя общеобразовательная школа пгт.Приисковый",
         RURAL),
        ('Муниципальное общеобразовательное учреждение "Средняя общеобразовательная школа №2" пгт Забайкальск', RURAL),
        ("Муниципальное общеобразовательное учреждение средняя общеобразовательная школа №33 пос.Давенда "
         "Могочинского района", RURAL),
        ('Муниципальное общеобразовательное учреждение "Захаровская средняя общеобразовательная школа" села Захарово',
         RURAL),
        ("Муниципальное общеобразовательное учреждение Верхнешергольджинская средняя общеобразовательная школа село "
         "Верхний Шергольджин", RURAL),
        ("Муниципальное бюджетное общеобразовательное учреждение средняя общеобразовательная школа №10 г. Хилок", URBAN),
        ('МБОУ "СОШ № 2 г.Облучье"', URBAN),
        ("Муниципальное общеобразовательное учреждение средняя общеобразовательная школа №1 г.Могоча Забайкальского "
         "края", URBAN),
        ("Муниципальное общеобразовательное учреждение «Средняя общеобразовательная школа № 240 г. Борзи»", URBAN),
        # the settlement in the name beats the okrug it belongs to
        ('Муниципальное автономое общебразовательное учреждение "Агинская средняя общеобразовательная школа №4" '
         'городского округа "Поселок Агинское"', RURAL),
        # initials, «с углублённым изучением» and «Центр образования» name no settlement
        ('Муниципальное общеобразовательное учреждение "Хара-Шибирская средняя общеобразовательная школа имени '
         'Б. Мажиева "', UNKNOWN),
        ("Муниципальное бюджетное общеобразовательное учреждение Урулюнгуйская средняя общеобразовательная школа имени "
         "Г.Н. Аксёнова", UNKNOWN),
        ('МБОУ "СОШ № 3 им. Героя Советского Союза Ю.В. Тварковского"', UNKNOWN),
        ('Муниципальное бюджетное общеобразовательное учреждение "Средняя общеобразовательная школа №49 с углубленным '
         'изучением английского языка"', UNKNOWN),
        ('МКОУ "Центр образвоания им.В.И. Пеллера"', UNKNOWN),
        ('МБОУ "Лицей № 23 с этнокультурным компонентом"', UNKNOWN),
    ],
)
def test_locality_is_guessed_from_the_settlement_in_the_name(name, expected):
    assert guess_locality(name, municipality("Облученский район")) == expected


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (municipality("Город Чита", Municipality.Kind.CITY_OKRUG), URBAN),
        (municipality("город Биробиджан"), URBAN),
        (municipality("Биробиджанский район"), UNKNOWN),
        (municipality("Акшинский муниципальный округ", Municipality.Kind.MUNICIPAL_OKRUG), UNKNOWN),
        # a city with the district around it says nothing of the district's villages
        (municipality("Город Краснокаменск и Краснокаменский район"), UNKNOWN),
        (municipality("Сельское поселение «Улётовское»"), RURAL),
        (None, UNKNOWN),
    ],
)
def test_without_a_settlement_in_the_name_the_municipality_decides(place, expected):
    name = 'Муниципальное бюджетное общеобразовательное учреждение "Капцегайтуйская средняя общеобразовательная школа"'
    assert guess_locality(name, place) == expected


def test_a_village_school_of_a_city_okrug_stays_rural():
    okrug = municipality("Город Чита", Municipality.Kind.CITY_OKRUG)
    assert guess_locality('МБОУ "СОШ с. Застепь"', okrug) == RURAL


@pytest.mark.django_db
def test_schools_created_from_the_real_jewish_ao_workbook_get_a_locality_graduates_and_a_cluster(capsys):
    preview = results_import_preview(parsed=parse_ege_workbook(real_workbook(JEWISH_AO)))
    result = results_import_save(preview=preview, create_missing=True, file_name=JEWISH_AO)
    created = list(School.objects.filter(municipality__region__name="Еврейская автономная область")
                   .select_related("municipality", "cluster"))  # fmt: skip
    assert len(created) == 44
    for school in created:
        assert school.locality == guess_locality(school.name, school.municipality), school.name
        assert school.cluster is not None or school.locality == UNKNOWN, school.name
    localities = Counter(school.locality for school in created)
    assert localities[RURAL] and localities[URBAN]
    assert all(s.locality == URBAN for s in created if s.municipality.name == "Город Биробиджан")
    clusters = Counter(school.cluster.name if school.cluster else "без кластера" for school in created)
    assert clusters["без кластера"] <= localities[UNKNOWN]  # a boarding school needs no locality

    # Graduates of grade 11 of the results sheets are the profile's, year by year.
    graduates = {
        (school_id, year): value
        for school_id, year, value in SchoolResult.objects.filter(
            measure__code="ege-graduates", school__in=created
        ).values_list("school_id", "year", "value")
    }
    profiles = {
        (p.school_id, p.year): p.graduates_11 for p in SchoolYearProfile.objects.filter(school__in=created)
    }
    assert graduates and profiles == {key: round(value) for key, value in graduates.items()}
    assert "Местность новых школ по названию" in result.summary
    with capsys.disabled():
        print(f"\nЕАО, созданные школы: местность {dict(localities)}; кластеры {dict(clusters)}")
