"""The registry of organisations besides schools (issue 18, item 8): the department keeps it in the portal, the
coordinators read their territory's part of it, nobody else opens it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.demo import MUNICIPALITY_A, ORGANISATION_CURATOR
from schools.models import Municipality, Organisation, Region
from tests.partnerships.helpers import fresh

pytestmark = pytest.mark.django_db

LIST = reverse("schools:organisations")


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [o.short_name for o in response.context["page"].object_list]


def _form(organisation=None, **changes) -> dict:
    region = Municipality.objects.get(name=MUNICIPALITY_A).region
    data = {
        "short_name": "Центр «Эврика»", "name": "Муниципальный методический центр «Эврика»", "kind": "methodical_centre",
        "region": region.pk, "municipality": Municipality.objects.get(name=MUNICIPALITY_A).pk, "inn": "6601234567",
        "head_name": "Петрова Анна Сергеевна", "head_position": "директор", "address": "", "email": "", "phone": "",
        "is_active": "on",
    }  # fmt: skip
    if organisation is not None:
        data |= {
            "short_name": organisation.short_name, "name": organisation.name, "kind": organisation.kind,
            "municipality": organisation.municipality_id or "", "inn": organisation.inn,
        }  # fmt: skip
    return {key: value for key, value in (data | changes).items() if value is not None}


def test_the_department_finds_organisations_by_search_and_filters(client, demo):
    client.force_login(demo["department"])
    assert _names(client.get(LIST)) == sorted(_names(client.get(LIST)))
    assert set(_names(client.get(LIST))) == {ORGANISATION_CURATOR, "РИП «Школа равных возможностей»", "ЦНППМПР ИРО"}
    assert _names(client.get(LIST, {"q": "ддт"})) == [ORGANISATION_CURATOR]
    assert _names(client.get(LIST, {"q": "Зайцева"})) == ["ЦНППМПР ИРО"]  # the head's name is searched too
    assert _names(client.get(LIST, {"kind": "institute"})) == ["ЦНППМПР ИРО"]
    assert set(_names(client.get(LIST, {"municipality": "region"}))) == {
        "РИП «Школа равных возможностей»",
        "ЦНППМПР ИРО",
    }
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    assert _names(client.get(LIST, {"municipality": municipality.pk})) == [ORGANISATION_CURATOR]
    Organisation.objects.filter(short_name="ЦНППМПР ИРО").update(is_active=False)
    assert _names(client.get(LIST, {"active": "no"})) == ["ЦНППМПР ИРО"]
    assert "ЦНППМПР ИРО" not in _names(client.get(LIST, {"active": "yes"}))


def test_the_registry_pages_and_keeps_its_query_count_as_rows_grow(client, demo, settings):
    settings.PAGE_SIZE = 5
    client.force_login(demo["department"])
    region = Region.objects.get()
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(context)

    small = queries()
    Organisation.objects.bulk_create(
        Organisation(
            region=region,
            municipality=municipality if i % 2 else None,
            short_name=f"Площадка {i:02}",
            name=f"Инновационная площадка {i}",
            kind="innovation_platform",
        )  # fmt: skip
        for i in range(30)
    )
    assert queries() == small
    response = client.get(LIST, {"page": 3, "kind": "innovation_platform"})
    assert response.context["page"].paginator.count == 31 and _names(response)[0] == "Площадка 10"


def test_the_department_registers_and_changes_an_organisation_with_its_history(client, demo):
    client.force_login(demo["department"])
    response = client.post(reverse("schools:organisation_create"), _form())
    organisation = Organisation.objects.get(short_name="Центр «Эврика»")
    assert response.status_code == 302 and response.url == reverse("schools:organisation", args=[organisation.pk])
    page = client.get(response.url).content.decode()
    assert "Муниципальный методический центр «Эврика»" in page and "6601234567" in page

    response = client.post(
        reverse("schools:organisation_edit", args=[organisation.pk]), _form(organisation, is_active="")
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.is_active is False
    records = list(organisation.history.order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert {r.history_user for r in records} == {demo["department"]}
    history = client.get(reverse("history", args=["organisation", organisation.pk])).content.decode()
    assert "Действует" in history or "действует" in history


def test_a_save_after_somebody_elses_is_refused_not_overwriting_it(client, demo):
    organisation = Organisation.objects.get(short_name=ORGANISATION_CURATOR)
    client.force_login(demo["department"])
    opened = client.get(reverse("schools:organisation_edit", args=[organisation.pk]))
    seen = opened.context["form"]["seen"].value()
    organisation.phone = "+7 900 000-00-00"
    organisation._history_user = demo["department"]
    organisation.save()  # a colleague's save meanwhile

    response = client.post(
        reverse("schools:organisation_edit", args=[organisation.pk]),
        _form(organisation, seen=seen, head_name="Другой Руководитель"),
    )
    assert response.status_code == 409
    assert "Пока вы редактировали, запись изменил(а)" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.head_name == "Лебедева Марина Игоревна" and organisation.phone == "+7 900 000-00-00"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"short_name": "ддт г. заречный"},
            "short_name",
            "Организация с таким кратким наименованием в этой территории уже есть.",
        ),
        ({"inn": "12345"}, "inn", "ИНН — это 10 цифр (у индивидуального предпринимателя — 12), без пробелов."),
        ({"short_name": ""}, "short_name", "Обязательное поле."),
        ({"kind": ""}, "kind", "Обязательное поле."),
        ({"email": "не-адрес"}, "email", "Введите правильный адрес электронной почты."),
    ],
)
def test_the_form_refuses_with_russian_messages_and_stores_nothing(client, demo, changes, field, message):
    client.force_login(demo["department"])
    before = Organisation.objects.count()
    response = client.post(reverse("schools:organisation_create"), _form(**changes))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert Organisation.objects.count() == before


def test_a_municipality_of_another_territory_is_refused(client, demo):
    other = Region.objects.create(name="Другая область", code="98")
    municipality = Municipality.objects.create(region=other, name="Дальний район", kind="district")
    client.force_login(demo["department"])
    response = client.post(reverse("schools:organisation_create"), _form(municipality=municipality.pk))
    assert response.status_code == 400
    # a municipality of a region the department does not head is not even offered (issue 20)
    assert response.context["form"].errors["municipality"] == [
        "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."
    ]


def test_coordinators_read_their_territory_and_change_nothing(client, demo):
    organisation = Organisation.objects.get(short_name=ORGANISATION_CURATOR)
    client.force_login(demo["coordinator"])
    assert set(_names(client.get(LIST))) == {ORGANISATION_CURATOR, "РИП «Школа равных возможностей»", "ЦНППМПР ИРО"}
    assert "Новая организация" not in client.get(LIST).content.decode()
    assert client.get(reverse("schools:organisation", args=[organisation.pk])).status_code == 200
    assert client.get(reverse("schools:organisation_edit", args=[organisation.pk])).status_code == 403
    assert client.post(reverse("schools:organisation_create"), _form()).status_code == 403
    assert not Organisation.objects.filter(short_name="Центр «Эврика»").exists()

    # the other municipality's coordinator reads the region's organisations, not municipality A's
    client.force_login(demo["coordinator_b"])
    assert set(_names(client.get(LIST))) == {"РИП «Школа равных возможностей»", "ЦНППМПР ИРО"}
    assert client.get(reverse("schools:organisation", args=[organisation.pk])).status_code == 404
    assert client.get(LIST, {"q": "ДДТ"}).context["page"].paginator.count == 0


@pytest.mark.parametrize("username", ["school", "curator", "tutor"])
def test_roles_that_do_not_oversee_do_not_open_the_registry(client, demo, username):
    client.force_login(demo[username])
    assert client.get(LIST).status_code == 403
    organisation = Organisation.objects.get(short_name=ORGANISATION_CURATOR)
    assert client.get(reverse("schools:organisation", args=[organisation.pk])).status_code == 404
    assert "Организации</a>" not in client.get(reverse("home")).content.decode()


def test_an_organisations_curator_sees_its_own_page_only(client, demo):
    client.force_login(demo["curator_org"])
    organisation = Organisation.objects.get(short_name=ORGANISATION_CURATOR)
    home = client.get(reverse("home")).content.decode()
    assert "Организация-куратор" in home and ORGANISATION_CURATOR in home
    assert f"Организация-куратор: {ORGANISATION_CURATOR}" in home  # the user menu names the role as held
    assert "Школа-куратор" not in home
    assert client.get(reverse("schools:organisation", args=[organisation.pk])).status_code == 200
    other = Organisation.objects.get(short_name="ЦНППМПР ИРО")
    assert client.get(reverse("schools:organisation", args=[other.pk])).status_code == 404
    assert client.get(LIST).status_code == 403


def test_the_navigation_links_the_registry_beside_the_schools_for_those_who_read_it(client, demo):
    client.force_login(fresh(demo["coordinator"]))
    home = client.get(reverse("home")).content.decode()
    assert f'href="{LIST}">Организации</a>' in home
