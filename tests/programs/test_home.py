import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import RequestFactory

from programs.selectors import home_items

pytestmark = pytest.mark.django_db


def items_for(username):
    return home_items(user=get_user_model().objects.get(username=username))


def render(items):
    request = RequestFactory().get("/")
    return render_to_string("programs/_home_panel.html", {"items": items}, request=request)


def test_coordinator_sees_reviews_to_do_and_overdue_measures(programmes):
    items = items_for("coordinator")
    titles = {(r.programme.school.short_name, r.kind) for r in items["reviews"]}
    assert titles == {("Никольская ООШ", "municipal"), ("Ильинская СОШ", "municipal")}
    assert items["overdue_total"] >= 5
    assert all(m.programme.municipality.name == "Заречный муниципальный район" for m in items["overdue"])
    html = render(items)
    assert "Ждут вашей экспертизы: <a" in html and "Просроченные мероприятия" in html
    assert 'data-figure="home-reviews" data-value="2">2</a>' in html  # a link to the programmes that wait
    assert "Проведение самооценки деятельности" in html and "просрочено на" in html


def test_school_team_sees_its_programmes_and_the_remarks_to_address(programmes):
    items = items_for("school")
    assert {p.state for p in items["own"]} == {"draft", "returned"}
    assert [entry["programme"].pk for entry in items["returned"]] == [programmes["returned"].pk]
    assert items["reviews"] == [] and items["overdue"] == []
    html = render(items)
    assert "возвращена на доработку" in html and "укажите, какие курсы внеурочной деятельности" in html
    assert "черновик" in html


def test_curator_sees_its_mutual_review_and_the_department_regional_ones(programmes):
    curator = items_for("curator")
    assert [(r.kind, r.programme.school.short_name) for r in curator["reviews"]] == [("mutual", "Ильинская СОШ")]
    department = items_for("department")
    assert [(r.kind, r.programme.school.short_name) for r in department["reviews"]] == [("regional", "Никольская ООШ")]
    assert 'Ждут экспертизы: <a href="/programs/?review=mine" class="figure-link" data-figure="home-reviews" data-value="1">1</a>' in render(department)


def test_others_have_nothing_waiting(programmes):
    for username in ("coordinator_b", "tutor"):
        items = items_for(username)
        assert items["empty"]
        assert "Сейчас ничего не ждёт" in render(items)


@pytest.mark.parametrize("username", ["department", "coordinator", "school"])
def test_the_home_page_says_waiting_for_your_attention_once(client, programmes, username):
    client.force_login(get_user_model().objects.get(username=username))
    html = client.get("/").content.decode()
    assert html.count("Ждёт вашего внимания") == 1
