"""The registry keeps who changed what: schools and their yearly profiles have a history page for the coordinator and
the department; a profile saved over somebody else's newer save is refused, also when both filled a new year."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from schools.forms import SchoolYearProfileForm
from schools.models import School, SchoolYearProfile
from schools.services import ProfileRefused, profile_save, school_archive
from tests.html_forms import form_data
from tests.seeding import seed_or_replay

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(demo):
    from schools.demo import SCHOOL_TEAM_SCHOOL

    return School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)


def opened_by(client_class, user, url):
    client = client_class()
    client.force_login(user)
    return client, form_data(client.get(url).content.decode())


def test_a_profile_saved_on_an_outdated_page_is_refused_and_the_newer_kept(client, demo, school):
    year = SchoolYearProfile.objects.filter(school=school).order_by("-year").values_list("year", flat=True).first()
    url = reverse("schools:profile_edit", args=[school.pk, year])
    coordinator, mine = opened_by(client.__class__, demo["coordinator"], url)
    department, theirs = opened_by(client.__class__, demo["department"], url)
    theirs["pupils"] = ["411"]
    assert department.post(url, theirs).status_code == 302

    mine["vacancies"] = ["3"]
    refused = coordinator.post(url, mine)
    html = refused.content.decode()
    assert refused.status_code == 200 and "Ваши изменения не сохранены" in html
    profile = SchoolYearProfile.objects.get(school=school, year=year)
    assert profile.pupils == 411 and profile.vacancies != 3

    # Told, the coordinator saves on purpose: it now applies to the current version.
    again = form_data(html)
    again["pupils"] = ["411"]
    assert coordinator.post(url, again).status_code == 302
    profile.refresh_from_db()
    assert (profile.pupils, profile.vacancies) == (411, 3)


def test_two_people_filling_a_new_year_do_not_overwrite_each_other(client, demo, school):
    year = SchoolYearProfile.objects.filter(school=school).order_by("-year").values_list("year", flat=True).first() + 1
    SchoolYearProfile.objects.filter(school=school, year=year).delete()
    url = reverse("schools:profile_edit", args=[school.pk, year])
    coordinator, mine = opened_by(client.__class__, demo["coordinator"], url)
    department, theirs = opened_by(client.__class__, demo["department"], url)
    assert mine["seen"] == ["0"]
    theirs["pupils"] = ["300"]
    assert department.post(url, theirs).status_code == 302
    mine["pupils"] = ["290"]
    assert "Ваши изменения не сохранены" in coordinator.post(url, mine).content.decode()
    assert SchoolYearProfile.objects.get(school=school, year=year).pupils == 300


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_profile_saves_on_one_version_let_exactly_one_through(demo):
    from django.contrib.auth import get_user_model

    from schools.demo import SCHOOL_TEAM_SCHOOL

    profile = SchoolYearProfile.objects.filter(school__short_name=SCHOOL_TEAM_SCHOOL).order_by("-year").first()
    opened = SchoolYearProfileForm(instance=profile).initial | {"seen": SchoolYearProfileForm(instance=profile)["seen"].value()}
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(username: str, pupils: int) -> None:
        try:
            actor = get_user_model().objects.get(username=username)
            form = SchoolYearProfileForm(
                {k: ("" if v is None else v) for k, v in (opened | {"pupils": pupils}).items()},
                instance=SchoolYearProfile.objects.get(pk=profile.pk),
            )
            assert form.is_valid(), form.errors
            start.wait(timeout=10)
            profile_save(form=form, actor=actor)
            outcomes[username] = str(pupils)
        except ProfileRefused:
            outcomes[username] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=("coordinator", 501)),
               threading.Thread(target=save, args=("department", 502))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and list(outcomes.values()).count("refused") == 1
    saved = next(value for value in outcomes.values() if value != "refused")
    assert SchoolYearProfile.objects.get(pk=profile.pk).pupils == int(saved)


def test_school_and_profile_changes_are_in_their_history_pages(client, demo, school):
    profile = SchoolYearProfile.objects.filter(school=school).order_by("-year").first()
    url = reverse("schools:profile_edit", args=[school.pk, profile.year])
    coordinator, data = opened_by(client.__class__, demo["coordinator"], url)
    data["vacancies"] = ["9"]
    assert coordinator.post(url, data).status_code == 302
    school_archive(schools=[school], note="реорганизована", actor=demo["department"])

    html = coordinator.get(reverse("history", args=["profile", profile.pk])).content.decode()
    assert "вакансий" in html.lower() and "9" in html
    html = coordinator.get(reverse("history", args=["school", school.pk])).content.decode()
    assert "в архив" in html.lower() or "архив" in html.lower()
    # The school page and the profile page lead there, for those who oversee.
    assert reverse("history", args=["school", school.pk]) in coordinator.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert reverse("history", args=["profile", profile.pk]) in coordinator.get(url).content.decode()
    # The outsider's coordinator does not reach them.
    outsider = client.__class__()
    outsider.force_login(demo["coordinator_b"])
    assert outsider.get(reverse("history", args=["profile", profile.pk])).status_code == 404
    assert outsider.get(reverse("history", args=["school", school.pk])).status_code == 404


def test_an_object_saved_before_histories_were_kept_shows_an_empty_history(client, demo, school):
    profile = SchoolYearProfile.objects.filter(school=school).order_by("-year").first()
    profile.history.all().delete()
    client.force_login(demo["department"])
    response = client.get(reverse("history", args=["profile", profile.pk]))
    assert response.status_code == 200 and "Изменений пока нет" in response.content.decode()


def test_a_changed_target_of_an_indicator_is_in_its_history(client, demo):
    from monitoring.demo import seed_monitoring
    from monitoring.models import Indicator
    from schools.demo import MUNICIPALITY_A

    seed_or_replay(seed_monitoring)
    indicator = Indicator.objects.filter(municipality__name=MUNICIPALITY_A).order_by("pk").first()
    indicator._history_user = demo["department"]
    indicator.name = "Доля педагогов, прошедших обучение (уточнено)"
    indicator.save()
    client.force_login(demo["coordinator"])
    page = client.get(reverse("monitoring:indicator_detail", args=[indicator.pk])).content.decode()
    assert reverse("history", args=["indicator", indicator.pk]) in page
    html = client.get(reverse("history", args=["indicator", indicator.pk])).content.decode()
    assert "(уточнено)" in html
