"""The printed agreement names who signs it: the heads come from the registry, a missing one is asked for before
printing, and nothing prints «в лице директора , действующего»."""

import pytest
from django.urls import reverse

from partnerships.agreement_print import name_genitive, name_signature, position_genitive
from schools.models import Organisation

pytestmark = pytest.mark.django_db


def _print_url(world):
    return reverse("partnerships:agreement_print", args=[world.agreement.pk])


def _with_directors(world, curator="Сидоров Семён Семёнович", school="Иванов Иван Иванович"):
    world.curator_school.director, world.supported_school.director = curator, school
    world.curator_school.save(update_fields=["director"])
    world.supported_school.save(update_fields=["director"])


def test_the_directors_of_the_registry_are_printed_in_the_preamble_and_under_the_signatures(client, world):
    _with_directors(world)
    client.force_login(world.users["curator"])
    html = client.get(_print_url(world)).content.decode()
    assert "в лице директора Сидорова С. С., действующего на основании Устава, с одной стороны" in html
    assert "в лице директора Иванова И. И., действующего" in html
    assert "/ И. И. Иванов" in html and "/ С. С. Сидоров" in html
    assert "директора ," not in html and "директора  ," not in html
    assert "ДОГОВОР О СОТРУДНИЧЕСТВЕ № 1-ШНОР" in html


def test_a_missing_director_is_asked_for_instead_of_printing_a_blank(client, world):
    _with_directors(world, school="")
    client.force_login(world.users["curator"])
    response = client.get(_print_url(world))
    html = response.content.decode()
    assert "Кто подписывает договор" in html and "ДОГОВОР О СОТРУДНИЧЕСТВЕ" not in html
    assert 'name="school"' in html and 'name="curator"' not in html  # only the missing head is asked for
    assert 'name="school_save"' not in html  # a curator does not edit the registry: the name is for this print only

    answer = client.post(_print_url(world), {"school": "  Иванов   Иван Иванович "})
    assert answer.status_code == 302
    html = client.get(answer["Location"]).content.decode()
    assert "в лице директора Иванова И. И., действующего" in html and "директора ," not in html
    world.supported_school.refresh_from_db()
    assert world.supported_school.director == ""  # entered for this print, the registry unchanged


def test_the_department_saves_the_missing_director_into_the_registry(client, world):
    _with_directors(world, curator="", school="")
    client.force_login(world.users["department"])
    refused = client.post(_print_url(world), {"school": "Иванов Иван Иванович", "school_save": "on"})
    assert refused.status_code == 200 and "Обязательное поле" in refused.content.decode()  # the curator's head too

    answer = client.post(_print_url(world), {
        "school": "Иванов Иван Иванович", "school_save": "on", "curator": "Орлова Анна Павловна",
    })
    assert answer["Location"] == _print_url(world) + "?curator=%D0%9E%D1%80%D0%BB%D0%BE%D0%B2%D0%B0+%D0%90%D0%BD%D0%BD%D0%B0+%D0%9F%D0%B0%D0%B2%D0%BB%D0%BE%D0%B2%D0%BD%D0%B0"
    world.supported_school.refresh_from_db()
    assert world.supported_school.director == "Иванов Иван Иванович"
    assert world.supported_school.history.first().history_user == world.users["department"]
    html = client.get(answer["Location"]).content.decode()
    assert "в лице директора Орловой А. П., действующей" in html
    assert "в лице директора Иванова И. И., действующего" in html
    asked = client.get(_print_url(world)).content.decode()
    assert 'name="curator"' in asked and 'name="school"' not in asked  # the registry now holds the school's director


def test_an_organisation_signs_by_its_head_and_position(client, org_world):
    agreement, organisation = org_world
    organisation.head_name, organisation.head_position = "Григорьев Павел Андреевич", "руководитель площадки"
    organisation.save()
    school = agreement.supported_school
    school.director = "Иванов Иван Иванович"
    school.save()
    html = client.get(reverse("partnerships:agreement_print", args=[agreement.pk])).content.decode()
    assert "в лице руководителя площадки Григорьева П. А., действующего" in html
    assert "Руководитель площадки" in html and "/ П. А. Григорьев" in html


@pytest.fixture
def org_world(client, world):
    from partnerships.models import Agreement

    agreement = Agreement.objects.filter(curator_organisation__isnull=False).select_related("curator_organisation").first()
    client.force_login(world.users["department"])
    return agreement, Organisation.objects.get(pk=agreement.curator_organisation_id)


@pytest.mark.parametrize(("name", "genitive", "signature"), [
    ("Иванов Иван Иванович", "Иванова И. И.", "И. И. Иванов"),
    ("Петрова Мария Сергеевна", "Петровой М. С.", "М. С. Петрова"),
    ("Чайковский Пётр Ильич", "Чайковского П. И.", "П. И. Чайковский"),
    ("Ковальская Ольга Игоревна", "Ковальской О. И.", "О. И. Ковальская"),
    ("Шевчук Андрей Олегович", "Шевчука А. О.", "А. О. Шевчук"),
    ("Шевчук Анна Олеговна", "Шевчук А. О.", "А. О. Шевчук"),
    ("Черных Ирина Викторовна", "Черных И. В.", "И. В. Черных"),
    ("Гоголь Н.В.", "Гоголя Н. В.", "Н. В. Гоголь"),
])
def test_names_are_declined_as_a_contract_writes_them(name, genitive, signature):
    assert name_genitive(name) == genitive and name_signature(name) == signature


def test_positions_are_declined():
    assert [position_genitive(p) for p in ("Директор", "заведующий", "руководитель площадки", "и. о. директора")] == [
        "директора", "заведующего", "руководителя площадки", "и. о. директора"
    ]
