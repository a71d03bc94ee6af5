"""Readable by everyone (issue 19, item 9): each chart has its numbers in a table a screen reader reads — the
indicator's plan and fact, the school's risk profile, the school card's results — the same numbers the chart draws."""

import html as html_lib
import json
import re

from django.urls import reverse
from django.utils import formats

from schools.demo import SCHOOL_TEAM_SCHOOL


def chart_data(html: str, script_id: str) -> dict:
    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def table_of(html: str, name: str) -> tuple[str, list[str], list[list[str]]]:
    """The caption, the column headers and the rows (header cell first) of the chart's hidden table."""
    found = re.search(
        rf'<table class="visually-hidden chart-table" data-chart-table="{name}">(.*?)</table>', html, re.S
    )
    assert found, f"no table of the chart «{name}»"
    table = found.group(1)

    def text(cell: str) -> str:
        return html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()

    caption = text(re.search(r"<caption>(.*?)</caption>", table, re.S).group(1))
    head = [text(c) for c in re.findall(r'<th scope="col">(.*?)</th>', table, re.S)]
    body = table[table.index("<tbody>") :]
    rows = [
        [text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    return caption, head, rows


def assert_table_holds_the_chart(html: str, name: str, chart: dict, labels: list[str]) -> None:
    _caption, head, rows = table_of(html, name)
    assert head[1:] == labels
    assert rows == [
        [series["label"], *("—" if value is None else formats.localize(value) for value in series["data"])]
        for series in chart["series"]
    ]
    assert any(value is not None for series in chart["series"] for value in series["data"])


def test_the_indicator_chart_has_its_plan_and_fact_as_a_table(client, mon):
    from monitoring.models import Indicator

    indicator = Indicator.objects.get(code="teachers-training")
    client.force_login(mon.users["coordinator"])
    html = client.get(reverse("monitoring:indicator_detail", args=[indicator.pk])).content.decode()
    chart = chart_data(html, "indicator-chart-data")
    assert_table_holds_the_chart(html, "indicator", chart, chart["labels"])
    caption, _head, rows = table_of(html, "indicator")
    assert "План и факт" in caption and rows[0][:2] == ["План (с базовым значением)", "50,0"]


def test_the_risk_chart_of_the_school_has_its_levels_as_a_table(client, mon):
    client.force_login(mon.users["coordinator"])
    html = client.get(reverse("monitoring:school", args=[mon.school.pk]), {"year": mon.year - 1}).content.decode()
    chart = chart_data(html, "risk-chart-data")
    assert_table_holds_the_chart(html, "risk", chart, chart["labels"])


def test_the_results_chart_of_the_school_card_has_its_numbers_as_a_table(client, demo):
    from schools.models import School

    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    client.force_login(demo["coordinator"])
    html = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    chart = chart_data(html, "school-results-data")
    assert_table_holds_the_chart(html, "results", chart, chart["years"])
