# ruff: noqa: F811 — the monitoring fixture `mon` is imported from tests/monitoring and used by name.
"""The portal speaks Russian: the back office names its history tables in Russian, and the monitoring pages show an
indicator by its name — its code (gia-success, teachers-training…) only where the department edits it."""

import html
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from monitoring.models import Indicator, IndicatorValue
from tests.monitoring.conftest import mon  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def _visible_text(response) -> str:
    """What a person reads on the page: the text without tags, attributes and scripts."""
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _history_models():
    return [model for model in admin.site._registry if model.__name__.startswith("Historical")]


def test_back_office_index_names_every_history_table_in_russian(client, demo):
    client.force_login(demo["department"])
    text = _visible_text(client.get(reverse("admin:index")))
    assert "История: целевые показатели" in text
    assert "История: договоры о сотрудничестве" in text
    assert "historical" not in text.lower()


def test_each_history_changelist_title_is_russian(client, demo):
    client.force_login(demo["department"])
    models = _history_models()
    assert len(models) >= 38
    for model in models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)
        assert "historical" not in _visible_text(response).lower(), url
        assert "запись истории «" in html.unescape(title), (url, title)


def test_history_record_is_shown_without_english(client, demo, mon):
    client.force_login(demo["department"])
    url = reverse("admin:monitoring_historicalindicator_changelist")
    text = _visible_text(client.get(url))
    assert "Выберите запись истории «целевой показатель»" in text
    assert " as of " not in text


def _known_indicator(mon) -> Indicator:
    return Indicator.objects.get(code="teachers-training", municipality=mon.municipality_a)


def _assert_name_not_code(response, indicator):
    assert response.status_code == 200
    text = _visible_text(response)
    assert indicator.name in text
    assert indicator.code not in text


def test_indicator_list_shows_names_not_codes(client, mon):
    indicator = _known_indicator(mon)
    client.force_login(mon.users["department"])
    _assert_name_not_code(client.get(reverse("monitoring:indicator_list"), {"q": ""}), indicator)


def test_entry_page_shows_names_not_codes(client, mon):
    client.force_login(mon.users["school"])
    response = client.get(reverse("monitoring:school_grid", args=[mon.school.pk, mon.year, "entry"]))
    values = IndicatorValue.objects.filter(school=mon.school, year=mon.year).select_related("indicator")
    indicator = next(iter({v.indicator for v in values} or {_known_indicator(mon)}))
    _assert_name_not_code(response, indicator)


def test_confirmation_queue_shows_names_not_codes(client, mon):
    value = IndicatorValue.objects.filter(school__municipality=mon.municipality_a).select_related("indicator").first()
    IndicatorValue.objects.filter(pk=value.pk).update(status=IndicatorValue.Status.SUBMITTED)
    client.force_login(mon.users["coordinator"])
    response = client.get(reverse("monitoring:queue"))
    assert f'value="{value.pk}"' in response.content.decode()
    _assert_name_not_code(response, value.indicator)


def test_history_page_of_a_value_is_titled_by_names(client, mon):
    value = IndicatorValue.objects.filter(school=mon.school).select_related("indicator").first()
    client.force_login(mon.users["coordinator"])
    response = client.get(reverse("history", args=["indicator-value", value.pk]))
    _assert_name_not_code(response, value.indicator)
    assert f"{value.year - 1}/{str(value.year)[-2:]}" in _visible_text(response)
