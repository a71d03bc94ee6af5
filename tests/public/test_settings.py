"""The department of a region keeps its public page: the text about the project and whether the list is published."""

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_regions_department_edits_its_page(client, land):
    from public_pages.models import PublicPage

    url = reverse("public:settings", args=[land.region.pk])
    login(client, land.department)
    response = client.get(url)
    assert response.status_code == 200 and "«информирование педагогической общественности" in response.content.decode()
    response = client.post(url, {"about": "Наш проект.", "publish_list": "on", "seen": 0}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("public:region", args=[land.region.pk])
    html = response.content.decode()
    assert "Открытая страница сохранена." in html and "Наш проект." in html and land.s5.name in html
    page = PublicPage.objects.get(region=land.region)
    assert page.publish_list and page.history.latest().history_user == land.department
    # the public page links its department to the settings, and nobody else
    assert url in html
    client.logout()
    assert url not in client.get(reverse("public:region", args=[land.region.pk])).content.decode()


def test_a_save_after_somebody_elses_is_refused(client, land):
    from public_pages.models import PublicPage

    url = reverse("public:settings", args=[land.region.pk])
    login(client, land.department)
    PublicPage.objects.create(region=land.region, about="Сохранил другой.")  # after the form was opened on «nothing»
    response = client.post(url, {"about": "Моё.", "seen": 0})
    assert response.status_code == 400 and "Пока вы редактировали" in response.content.decode()
    assert PublicPage.objects.get(region=land.region).about == "Сохранил другой."


def test_only_the_regions_department_reaches_the_settings(client, land):
    from django.contrib.auth import get_user_model

    from public_pages.models import PublicPage
    from schools.models import RoleAssignment
    from schools.services import role_assign

    url = reverse("public:settings", args=[land.region.pk])
    assert client.get(url).status_code == 302  # to the login page
    login(client, land.other_department)
    assert client.get(url).status_code == 404
    login(client, land.person)  # a coordinator of the region: sees the region, may not change its page
    assert client.get(url).status_code == 403
    assert client.post(url, {"about": "Нет.", "seen": 0}).status_code == 403
    district = get_user_model().objects.create_user("district-department")
    role_assign(user=district, role=RoleAssignment.Role.DEPARTMENT, municipality=land.m1)
    login(client, district)
    assert client.get(url).status_code == 403
    assert not PublicPage.objects.exists()


def test_the_department_finds_its_page_from_home(client, land):
    login(client, land.department)
    html = client.get(reverse("home")).content.decode()
    assert reverse("public:settings", args=[land.region.pk]) in html
