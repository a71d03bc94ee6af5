import pytest
from django.contrib import admin
from django.urls import reverse

from schools.models import RoleAssignment

pytestmark = pytest.mark.django_db


def _changelist_urls():
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def test_department_opens_every_back_office_list_with_search(client, demo):
    client.force_login(demo["department"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "Портал поддержки ШНОР и ШНСУ — бэк-офис" in page
    assert "Назначения ролей" in page
    for url in _changelist_urls():
        response = client.get(url, {"q": "Заречн"})
        assert response.status_code == 200, url


def test_every_portal_model_is_registered_with_search_and_filters():
    from django.apps import apps

    for app_label in ("schools", "programs", "monitoring", "partnerships"):  # history tables included
        for model in apps.get_app_config(app_label).get_models():
            model_admin = admin.site._registry.get(model)
            assert model_admin is not None, f"{model.__name__} не зарегистрирована в бэк-офисе"
            assert model_admin.search_fields, f"{model.__name__}: нет поиска"
            assert model_admin.list_filter or model._meta.model_name == "region", f"{model.__name__}: нет фильтров"


@pytest.mark.parametrize("username", ["coordinator", "coordinator_b", "school", "curator", "tutor"])
def test_other_roles_are_kept_out_of_the_back_office(client, demo, username):
    client.force_login(demo[username])
    response = client.get(reverse("admin:schools_school_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_department_assigns_a_role_in_the_back_office(client, demo, municipality_b, django_user_model):
    newcomer = django_user_model.objects.create_user("newcomer", password="x")
    client.force_login(demo["department"])
    response = client.post(
        reverse("admin:schools_roleassignment_add"),
        {"user": newcomer.pk, "role": "coordinator", "municipality": municipality_b.pk, "school": ""},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=newcomer)
    assert assignment.municipality == municipality_b

    wrong = client.post(
        reverse("admin:schools_roleassignment_add"),
        {"user": newcomer.pk, "role": "school_team", "municipality": "", "school": ""},
    )
    assert "Для этой роли укажите школу." in wrong.content.decode()
