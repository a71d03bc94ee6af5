"""What the school, its coordinator and the department see of a survey: nothing below the threshold, the index above
it; the index feeds the satisfaction criterion of identification and the monitoring indicator."""

import io

import openpyxl
import pytest
from django.urls import reverse

from schools.identification import criteria_ensure_for_year, run_execute, run_start, unpack_inputs
from schools.models import Criterion, School, SchoolResult
from surveys.models import Audience, SchoolLink
from surveys.results import NOT_ENOUGH
from surveys.services import results_publish
from tests.conftest import login

from .conftest import answer_many

pytestmark = pytest.mark.django_db


def test_below_the_threshold_no_page_shows_an_index(client, demo, campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    answer_many(link, 9, value=5)
    for user in ("school", "coordinator", "department"):
        login(client, demo[user])
        page = client.get(reverse("surveys:link", args=[link.pk])).content.decode()
        assert NOT_ENOUGH in page and 'id="school-index"' in page
        assert "Ответов: 9" in page
        assert "Свободные ответы" not in page and "100,0" not in page
    login(client, demo["department"])
    assert NOT_ENOUGH in client.get(reverse("surveys:campaign", args=[campaign.pk])).content.decode()


def test_with_enough_answers_the_school_sees_its_index_and_each_question(client, demo, campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    answer_many(link, 6, value=5)  # scale 5 → 100, «да» → 100
    answer_many(link, 4, value=1, start=6)  # scale 1 → 0, «да» → 100
    login(client, demo["school"])
    page = client.get(reverse("surveys:link", args=[link.pk])).content.decode()
    # parents' questionnaire: 8 scale questions and one yes/no per answer → (6·9·100 + 4·1·100) / (10·9)
    assert '<div class="display-6" id="school-index">64,4</div>' in page
    assert "Моему ребёнку в школе безопасно и комфортно." in page
    assert "«да» — 100,0 %" in page
    login(client, demo["coordinator"])
    campaign_page = client.get(reverse("surveys:campaign", args=[campaign.pk])).content.decode()
    assert "<strong>64,4</strong>" in campaign_page


def test_another_schools_results_are_out_of_reach(client, demo, campaign, team_school):
    other = SchoolLink.objects.filter(campaign=campaign).exclude(school=team_school).exclude(
        school__municipality=team_school.municipality).first()
    answer_many(other, 12)
    login(client, demo["school"])
    assert client.get(reverse("surveys:link", args=[other.pk])).status_code == 404
    login(client, demo["coordinator"])
    assert client.get(reverse("surveys:link", args=[other.pk])).status_code == 404
    for user in ("curator", "tutor"):
        login(client, demo[user])
        assert client.get(reverse("surveys:list")).status_code == 403
    login(client, demo["department_b"])
    assert client.get(reverse("surveys:campaign", args=[campaign.pk])).status_code == 404


def test_the_index_is_the_satisfaction_criterion_of_an_identification_run(demo, campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    answer_many(link, 10, value=4)  # scale 4 → 75, «да» → 100: (8·75 + 100) / 9
    few = SchoolLink.objects.filter(campaign=campaign).exclude(pk=link.pk).first()
    answer_many(few, 3, value=5)
    assert results_publish(campaign=campaign, actor=demo["department"]) == 1
    result = SchoolResult.objects.get(school=team_school, year=2026, measure__code="other-satisfaction-value")
    assert result.value == pytest.approx(77.8)
    assert not SchoolResult.objects.filter(school=few.school, measure__code="other-satisfaction-value").exists()

    region_id = campaign.region_id
    criteria_ensure_for_year(region_id=region_id, year=2026)
    Criterion.objects.filter(region_id=region_id, year=2026, code="satisfaction").update(is_active=True)
    run = run_execute(run_start(region_id=region_id, year=2026, actor=demo["department"]))
    values = unpack_inputs(run.inputs)["values"]["satisfaction"]
    judged = dict(zip(values["school"].tolist(), values["value"].tolist(), strict=True))
    assert judged == {team_school.pk: pytest.approx(77.8)}


def test_the_satisfaction_indicator_counts_only_schools_with_enough_answers(demo, campaign, team_school):
    from monitoring.computed import compute

    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    answer_many(link, 10, value=5)
    neighbour = SchoolLink.objects.filter(campaign=campaign, school__municipality=team_school.municipality).exclude(
        pk=link.pk).first()
    answer_many(neighbour, 5, value=1)  # below the threshold: not counted, not revealed
    municipality = team_school.municipality
    assert compute("satisfaction_index", year=2026, municipality=municipality) == 100.0
    assert compute("satisfaction_index", year=2026, school=neighbour.school) is None
    assert compute("satisfaction_index", year=2025, municipality=municipality) is None


def test_the_export_lists_schools_with_their_index_or_not_enough(client, demo, campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    answer_many(link, 10, value=5)
    login(client, demo["coordinator"])
    response = client.get(reverse("surveys:export", args=[campaign.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[team_school.short_name][2:4] == (10, 100.0)
    coordinator_schools = set(School.objects.filter(municipality=team_school.municipality).values_list("short_name", flat=True))
    assert set(rows) == coordinator_schools  # the coordinator's municipality only
    assert all(row[4] == NOT_ENOUGH for name, row in rows.items() if name != team_school.short_name)


def test_the_department_launches_and_closes_a_campaign(client, demo):
    from django.utils import timezone

    from surveys.models import Campaign

    login(client, demo["department"])
    today = timezone.localdate()
    form = client.get(reverse("surveys:create")).content.decode()
    assert "Запустить опрос" in form
    created = client.post(reverse("surveys:create"), {
        "year": 2027, "title": "Опрос 2026/27", "opens_on": today.isoformat(), "closes_on": today.isoformat(),
        "audiences": [Audience.PARENTS, Audience.TEACHERS], "min_answers": 15,
        "region": demo["department"].role_assignments.first().region_id,
    })
    campaign = Campaign.objects.get(year=2027)
    assert created.status_code == 302 and created["Location"] == reverse("surveys:campaign", args=[campaign.pk])
    again = client.post(reverse("surveys:create"), {
        "year": 2027, "title": "Ещё", "opens_on": today.isoformat(), "closes_on": today.isoformat(),
        "audiences": [Audience.PARENTS], "min_answers": 10, "region": campaign.region_id,
    })
    assert "уже запущен" in again.content.decode()
    assert "Завершить опрос «Опрос 2026/27»?" in client.get(reverse("surveys:close", args=[campaign.pk])).content.decode()
    client.post(reverse("surveys:close", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.closed_at is not None
    login(client, demo["coordinator"])
    assert client.get(reverse("surveys:create")).status_code == 403
    assert client.post(reverse("surveys:close", args=[campaign.pk])).status_code == 403


def test_the_campaign_page_reads_a_constant_number_of_queries(client, demo, campaign, django_assert_max_num_queries):
    login(client, demo["department"])
    links = list(SchoolLink.objects.filter(campaign=campaign)[:2])
    answer_many(links[0], 2)
    client.get(reverse("surveys:campaign", args=[campaign.pk]))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("surveys:campaign", args=[campaign.pk]))
    for number, link in enumerate(SchoolLink.objects.filter(campaign=campaign)[:8]):
        answer_many(link, 3, audience=Audience.TEACHERS, start=100 + 10 * number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("surveys:campaign", args=[campaign.pk]))


def test_a_schools_results_page_reads_a_constant_number_of_queries(client, demo, campaign, team_school,
                                                                     django_assert_max_num_queries):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    answer_many(link, 10, value=4)
    login(client, demo["school"])
    client.get(reverse("surveys:link", args=[link.pk]))
    with django_assert_max_num_queries(30) as few:
        page = client.get(reverse("surveys:link", args=[link.pk]))
    answer_many(link, 30, audience=Audience.PUPILS, value=5, start=500)
    answer_many(link, 30, audience=Audience.TEACHERS, value=3, start=900)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("surveys:link", args=[link.pk]))
    assert "Педагоги" in page.content.decode()  # the teachers' questions now have their own table
