"""Who reaches what: every URL of the app × every demo role (and an anonymous visitor) → the expected answer.

A new URL without a row in CASES fails `test_every_url_of_the_app_has_a_row`.
Each request runs in a savepoint that is rolled back, so a POST by one user does not change what the next finds.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import get_resolver, reverse

from programs import services
from programs.access import get_programme_or_404, visible_programmes
from programs.models import Evidence, Programme, Review
from programs.selectors import home_items
from tests.programs.conftest import make_programme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
USERS = ["anonymous", "department", "coordinator", "coordinator_b", "school", "curator", "tutor"]


def expect(default=404, **statuses):
    """Expected status per user: those not named get `default`; the anonymous visitor is always sent to log in."""
    return {user: statuses.get(user, default) for user in USERS} | {"anonymous": 302}


# Who sees which programme (GET of a page of it): 200 inside the reach, 404 outside.
SEES_OWN_DRAFT = expect(department=200, coordinator=200, school=200)
SEES_MUNICIPAL = expect(department=200, coordinator=200)
SEES_IN_REVIEW = expect(department=200, coordinator=200, curator=200)  # the curator school reviews it (mutual)
SEES_B = expect(department=200, coordinator_b=200)

# (url name, object key, method, data, expected statuses)
CASES = [
    ("list", None, "get", None, expect(200)),
    ("create", None, "get", None, expect(200, curator=403, tutor=403)),
    ("create", None, "post", {"kind": "municipal", "title": "Новая", "period_start": 2026, "period_end": 2027},
     expect(200, curator=403, tutor=403)),  # coordinator_b/department/school: form (school: no municipal kind)
    ("detail", "own_draft", "get", None, SEES_OWN_DRAFT),
    ("detail", "municipal", "get", None, SEES_MUNICIPAL),
    ("detail", "in_review", "get", None, SEES_IN_REVIEW),
    ("detail", "b", "get", None, SEES_B),
    ("history", "own_draft", "get", None, SEES_OWN_DRAFT),
    # Restoring a passport is the owner's (and the department's): the coordinator sees the school's draft, may not.
    ("passport_restore", "own_draft_version", "get", None, expect(department=200, coordinator=403, school=200)),
    ("print", "own_draft", "get", None, SEES_OWN_DRAFT),
    ("export", "municipal", "get", None, SEES_MUNICIPAL),
    ("export", "b", "get", None, SEES_B),
    ("roadmap", "municipal", "get", None, expect(department=302, coordinator=302)),  # htmx partial; plain → page
    ("compare", "accepted:2", "get", None, SEES_MUNICIPAL),
    ("compare_current", "returned", "get", None, SEES_OWN_DRAFT),
    ("passport_edit", "own_draft", "get", None, expect(department=200, coordinator=403, school=200)),
    ("passport_edit", "municipal", "get", None, expect(department=200, coordinator=200)),
    ("import", "own_draft", "get", None, expect(department=200, coordinator=403, school=200)),
    ("section_add", "municipal", "post", {"title": "Новая задача"}, expect(department=302, coordinator=302)),
    ("section", "municipal_section", "get", None, expect(department=302, coordinator=302)),
    ("section_edit", "municipal_section", "get", None, expect(department=200, coordinator=200)),
    ("section_edit", "draft_section", "get", None, expect(department=200, coordinator=403, school=200)),
    ("section_delete", "municipal_section", "post", {"version": 1}, expect(department=302, coordinator=302)),
    ("section_move", "municipal_section:down", "post", None, expect(department=302, coordinator=302)),
    ("measure_add", "draft_section", "post", {"name": "Новое мероприятие", "status": "planned"},
     expect(department=302, coordinator=403, school=302)),
    ("measure", "draft_measure", "get", None, expect(department=302, coordinator=302, school=302)),
    ("measure_edit", "draft_measure", "get", None, expect(department=200, coordinator=403, school=200)),
    ("measure_edit", "b_measure", "get", None, expect(department=200, coordinator_b=200)),
    ("measure_delete", "draft_measure", "post", {"version": 1}, expect(department=302, coordinator=403, school=302)),
    ("measure_move", "draft_measure:down", "post", None, expect(department=302, coordinator=403, school=302)),
    ("evidence", "municipal_measure", "get", None, SEES_MUNICIPAL),
    ("evidence", "municipal_measure", "post", {"title": "Приказ", "file": "pdf"},
     expect(department=302, coordinator=302)),
    ("evidence_download", "evidence", "get", None, SEES_MUNICIPAL),
    ("evidence_download", "b_evidence", "get", None, SEES_B),
    ("evidence_delete", "evidence", "post", None, expect(department=302, coordinator=302)),
    ("submit", "own_draft", "post", None, expect(department=302, coordinator=403, school=302)),
    ("submit", "municipal", "post", None, expect(department=302, coordinator=302)),
    ("reopen", "accepted", "post", None, expect(department=302, coordinator=302)),
    ("review_assign", "submitted", "post", {"school": "curator_school"}, expect(department=302, coordinator=302)),
    ("review_regional", "submitted", "post", None, expect(department=302, coordinator=403)),
    ("review", "in_review_municipal", "get", None, SEES_IN_REVIEW),
    ("review", "in_review_mutual", "post", {"action": "start"}, expect(department=403, coordinator=403, curator=302)),
    ("review", "submitted_municipal", "post", {"action": "start"}, expect(department=302, coordinator=302)),
    ("review", "submitted_regional", "post", {"action": "start"}, expect(department=302, coordinator=403)),
]


@pytest.fixture
def objects(programmes, demo, municipality_b):
    b = make_programme(municipality=municipality_b, measures=3, sections=1, title="Программа муниципалитета Б")
    b_measure = b.measures.first()
    b_evidence = services.evidence_add(
        measure=b_measure, actor=demo["coordinator_b"], title="Приказ Б", file=ContentFile(PDF, name="b.pdf")
    )
    municipal = programmes["municipal"]
    draft = programmes["draft"]
    nikolskaya = programmes["submitted"]
    ilyinskaya = programmes["in_review"]
    return {
        "own_draft": draft,
        "municipal": municipal,
        "in_review": ilyinskaya,
        "submitted": nikolskaya,
        "accepted": programmes["accepted"],
        "returned": programmes["returned"],
        "b": b,
        "b_measure": b_measure,
        "b_evidence": b_evidence,
        "municipal_section": municipal.sections.get(position=2),
        "municipal_measure": municipal.measures.first(),
        "draft_section": draft.sections.get(position=1),
        "draft_measure": draft.measures.filter(section__position=1).order_by("position").first(),
        "evidence": Evidence.objects.get(measure__programme=municipal),
        "in_review_municipal": ilyinskaya.reviews.get(kind=Review.Kind.MUNICIPAL),
        "in_review_mutual": ilyinskaya.reviews.get(kind=Review.Kind.MUTUAL),
        "submitted_municipal": nikolskaya.reviews.get(kind=Review.Kind.MUNICIPAL),
        "submitted_regional": nikolskaya.reviews.get(kind=Review.Kind.REGIONAL),
        "curator_school": demo["curator"].role_assignments.get().school,
        "own_draft_version": (draft.pk, draft.history.earliest().history_id),
    }


def _url(name, key, objects):
    if key is None:
        return reverse(f"programs:{name}")
    if isinstance(objects.get(key), tuple):  # the URL's arguments themselves
        return reverse(f"programs:{name}", args=list(objects[key]))
    key, _, extra = key.partition(":")
    args = [objects[key].pk] + ([extra if not extra.isdigit() else int(extra)] if extra else [])
    return reverse(f"programs:{name}", args=args)


def _data(data, objects):
    if not data:
        return {}
    result = {}
    for field, value in data.items():
        if value == "pdf":
            result[field] = ContentFile(PDF, name="prikaz.pdf")
        elif value == "curator_school":
            result[field] = objects["curator_school"].pk
        else:
            result[field] = value
    return result


def test_every_url_of_the_app_has_a_row():
    names = {
        pattern.name
        for pattern in get_resolver().url_patterns
        if getattr(pattern, "namespace", None) == "programs"
        for pattern in pattern.url_patterns
    }
    covered = {name for name, *_rest in CASES}
    assert names - covered == set(), f"URL без строки в таблице доступа: {sorted(names - covered)}"


def test_every_url_answers_each_role_as_the_table_says(client, demo, objects):
    mismatches = []
    for name, key, method, data, expected in CASES:
        url = _url(name, key, objects)
        for username in USERS:
            with transaction.atomic():
                client.logout()
                if username != "anonymous":
                    client.force_login(get_user_model().objects.get(username=username))
                response = getattr(client, method)(url, _data(data, objects))
                transaction.set_rollback(True)
            if response.status_code != expected[username]:
                mismatches.append(f"{method.upper()} {name} [{key}] as {username}: {response.status_code}, "
                                  f"expected {expected[username]}")
            if username == "anonymous":
                assert response.url.startswith(reverse("login")), url
    assert not mismatches, "\n".join(mismatches)


def test_outsider_reaches_nothing_of_municipality_a(demo, programmes):
    outsider = demo["coordinator_b"]
    assert not visible_programmes(outsider).filter(municipality__name__startswith="Заречный").exists()
    for programme in programmes.values():
        with pytest.raises(Exception) as caught:
            get_programme_or_404(outsider, programme.pk)
        assert caught.typename == "Http404"
    items = home_items(user=outsider)
    assert items["reviews"] == [] and items["overdue"] == [] and items["own"] == []


def test_evidence_is_not_served_from_a_public_url(client, demo, programmes, settings):
    evidence = Evidence.objects.get(measure__programme=programmes["municipal"])
    assert settings.MEDIA_URL.startswith("/media-is-not-served/")
    client.force_login(demo["department"])
    assert client.get(settings.MEDIA_URL + evidence.file.name).status_code == 404
    response = client.get(reverse("programs:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_tutor_and_curator_without_assignment_see_no_programmes(demo, programmes):
    assert not visible_programmes(demo["tutor"]).exists()
    curator_sees = set(visible_programmes(demo["curator"]).values_list("pk", flat=True))
    assert curator_sees == {programmes["in_review"].pk}  # only the programme its school reviews


def test_school_team_sees_only_its_school(demo, programmes):
    sees = set(visible_programmes(demo["school"]).values_list("school__short_name", flat=True))
    assert sees == {"Покровская СОШ"}
    assert not visible_programmes(demo["school"]).filter(kind=Programme.Kind.MUNICIPAL).exists()
