"""The list (перечень) the department forms from a run, the coordinators' proposals, the approval by an order with the
preflight summary, and the annex in print and in xlsx (issue 16, parts 7 and 9)."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.demo import SCHOOL_TEAM_SCHOOL
from schools.identification import run_execute, run_start
from schools.models import IdentificationRun, ListChange, School, SchoolYearStatus, Status
from schools.selection import (
    SelectionError,
    list_approve,
    list_change_add,
    list_change_decide,
    list_change_withdraw,
    list_compose,
)
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db

YEAR = 2026
ORDER = {"order_number": "123-о", "order_date": "2026-02-01", "confirm": "on"}
SUMMARY = {
    "threshold_shares": [{"year": 2025, "at_or_above": 2, "judged": 3, "share": 0.667}],
    "no_cluster": 4,
    "no_passport": 5,
    "passport_by_municipality": [{"municipality_id": 1, "name": "Заречный муниципальный район", "schools": 3,
                                  "with_passport": 2}],
}  # fmt: skip


@pytest.fixture
def draft(demo, municipality_a):
    """A finished, unapproved run of 2026 whose verdicts for six schools of municipality A are set by hand."""
    run = run_execute(run_start(region_id=home_region_id(), year=YEAR, actor=demo["department"]))
    schools = list(School.objects.filter(municipality=municipality_a).order_by("short_name")[:6])
    plan = [
        (Status.SHNOR, False), (Status.BOTH, False), (Status.NONE, False), (Status.NO_DATA, False),
        (Status.NONE, True), (Status.NONE, False),
    ]  # fmt: skip
    for school, (status, curator) in zip(schools, plan, strict=True):
        run.verdicts.filter(school=school).update(status=status, curator_candidate=curator, preventive=False)
    run.verdicts.exclude(school__in=schools).update(curator_candidate=False)
    run.verdicts.exclude(school__in=schools).filter(status=Status.NO_DATA).update(status=Status.NONE)
    IdentificationRun.objects.filter(pk=run.pk).update(summary=SUMMARY)
    run.refresh_from_db()
    run.s = dict(zip(["shnor", "both", "none", "no_data", "curator", "other"], schools, strict=True))
    return run


def row_of(run, school):
    [row] = list_compose(run, School.objects.filter(pk=school.pk))
    return row


def add(run, school, kind, actor, reason="Решение комиссии управления", status=""):
    return list_change_add(run=run, school=school, kind=kind, reason=reason, actor=actor, status=status)


# --- the service -----------------------------------------------------------------------------------------------------


def test_department_adds_leaves_out_selects_and_confirms_curators_then_approval_writes_the_list(demo, draft):
    s, department = draft.s, demo["department"]
    add(draft, s["none"], "add", department, reason="Обращение муниципалитета: отток учащихся", status=Status.SHNSU)
    add(draft, s["both"], "remove", department, reason="Школа реорганизована")
    add(draft, s["shnor"], "select", department, reason="Отобрана для адресной поддержки")
    add(draft, s["curator"], "curator_remove", department, reason="Нет кадров для кураторства")
    add(draft, s["other"], "curator_add", department, reason="Опыт наставничества")

    rows = {row.school.pk: row for row in list_compose(draft, School.objects.filter(pk__in=[x.pk for x in s.values()]))}
    assert rows[s["none"].pk].status == Status.SHNSU and rows[s["none"].pk].computed_status == Status.NONE
    assert rows[s["both"].pk].status == Status.NONE and "Школа реорганизована" in rows[s["both"].pk].reason
    assert rows[s["shnor"].pk].targeted and rows[s["shnor"].pk].status == Status.SHNOR
    assert not rows[s["curator"].pk].curator and rows[s["other"].pk].curator
    assert rows[s["no_data"].pk].status == Status.NONE  # never on the list unless added

    written = list_approve(run=draft, actor=department, order_number="123-о", order_date=datetime.date(2026, 2, 1))
    assert written == draft.verdicts.count()
    statuses = {st.school_id: st for st in SchoolYearStatus.objects.filter(year=YEAR)}
    # the year's statuses are the composed list, school by school
    composed = list_compose(draft, School.objects.all())
    assert {r.school.pk: (r.status, r.computed_status, r.targeted, r.curator, r.reason) for r in composed} == {
        pk: (st.status, st.computed_status, st.targeted_support, st.curator_candidate, st.change_reason)
        for pk, st in statuses.items()
    }
    added = statuses[s["none"].pk]
    assert (added.status, added.computed_status) == (Status.SHNSU, Status.NONE)
    assert added.change_reason == "включить в перечень: Обращение муниципалитета: отток учащихся"
    assert statuses[s["both"].pk].status == Status.NONE and statuses[s["both"].pk].computed_status == Status.BOTH
    assert statuses[s["shnor"].pk].targeted_support
    assert not statuses[s["curator"].pk].curator_candidate and statuses[s["other"].pk].curator_candidate
    assert (statuses[s["no_data"].pk].status, statuses[s["no_data"].pk].computed_status) == (Status.NONE,
                                                                                                Status.NO_DATA)
    draft.refresh_from_db()
    assert (draft.order_number, draft.order_date, draft.approved_by) == ("123-о", datetime.date(2026, 2, 1), department)


def test_a_school_without_enough_data_is_listed_only_when_the_department_adds_it(demo, draft):
    n = draft.s["no_data"]
    assert row_of(draft, n).status == Status.NONE
    add(draft, n, "add", demo["department"], reason="Данные ВПР поступили после расчёта", status=Status.SHNOR)
    list_approve(run=draft, actor=demo["department"], order_number="1", order_date=datetime.date(2026, 2, 1))
    status = SchoolYearStatus.objects.get(school=n, year=YEAR)
    assert (status.status, status.computed_status) == (Status.SHNOR, Status.NO_DATA)


def test_a_coordinators_proposal_counts_only_once_the_department_accepts_it(demo, draft):
    s = draft.s
    proposal = add(draft, s["none"], "add", demo["coordinator"], reason="Школа просит поддержки", status=Status.SHNOR)
    assert proposal.state == ListChange.State.PROPOSED
    assert row_of(draft, s["none"]).status == Status.NONE and row_of(draft, s["none"]).proposals == [proposal]
    list_change_decide(change=proposal, actor=demo["department"], accept=True)
    assert row_of(draft, s["none"]).status == Status.SHNOR
    with pytest.raises(SelectionError, match="отозвать его может только управление"):
        list_change_withdraw(change=proposal, actor=demo["coordinator"])

    rejected = add(draft, s["shnor"], "select", demo["coordinator"], reason="Нужна адресная поддержка")
    list_change_decide(change=rejected, actor=demo["department"], accept=False)
    assert not row_of(draft, s["shnor"]).targeted
    again = add(draft, s["shnor"], "select", demo["coordinator"], reason="Повторно: с обоснованием")  # replaces it
    list_change_withdraw(change=again, actor=demo["coordinator"])
    assert not ListChange.objects.filter(run=draft, school=s["shnor"]).exists()


def test_a_proposal_no_longer_valid_is_not_accepted(demo, draft):
    s = draft.s
    proposal = add(draft, s["shnor"], "select", demo["coordinator"], reason="Нужна адресная поддержка")
    removed = add(draft, s["shnor"], "remove", demo["department"], reason="Школа реорганизована")
    with pytest.raises(SelectionError, match="уже рассмотрено"):
        list_change_decide(change=removed, actor=demo["department"], accept=True)
    with pytest.raises(SelectionError, match="отбираются школы из перечня"):
        list_change_decide(change=proposal, actor=demo["department"], accept=True)
    proposal.refresh_from_db()
    assert proposal.state == ListChange.State.PROPOSED and not row_of(draft, s["shnor"]).targeted


@pytest.mark.parametrize(
    "who,school,kind,reason,status,message",
    [
        ("department", "none", "add", "   ", "shnor", "Укажите основание"),
        ("department", "shnor", "add", "Основание", "shnor", "уже в перечне"),
        ("department", "none", "remove", "Основание", "", "нет в перечне"),
        ("department", "none", "add", "Основание", "", "с каким статусом"),
        ("department", "none", "select", "Основание", "", "отбираются школы из перечня"),
        ("department", "shnor", "curator_add", "Основание", "", "не может быть школой-куратором"),
        ("coordinator_b", "none", "add", "Основание", "shnor", "из другого муниципалитета"),
        ("school", "none", "add", "Основание", "shnor", "вне вашей зоны"),
    ],
)
def test_a_refused_change_says_why_in_russian_and_changes_nothing(demo, draft, who, school, kind, reason, status,
                                                                  message):  # fmt: skip
    with pytest.raises(SelectionError, match=message):
        add(draft, draft.s[school], kind, demo[who], reason=reason, status=status)
    assert not ListChange.objects.exists()


def test_the_list_in_force_takes_no_changes(demo, draft):
    change = add(draft, draft.s["shnor"], "select", demo["department"])
    proposal = add(draft, draft.s["none"], "add", demo["coordinator"], status=Status.SHNOR)
    list_approve(run=draft, actor=demo["department"])
    before = list(ListChange.objects.values_list("pk", "state"))
    for attempt in (
        lambda: add(draft, draft.s["both"], "select", demo["department"]),
        lambda: list_change_withdraw(change=change, actor=demo["department"]),
        lambda: list_change_decide(change=proposal, actor=demo["department"], accept=True),
    ):
        with pytest.raises(SelectionError, match="утверждён и действует"):
            attempt()
    assert list(ListChange.objects.values_list("pk", "state")) == before


# --- the pages -------------------------------------------------------------------------------------------------------


def test_department_changes_the_list_on_its_page_and_sees_the_difference(client, demo, draft):
    client.force_login(demo["department"])
    url = reverse("schools:selection", args=[draft.pk])
    response = client.post(
        reverse("schools:selection_change_add", args=[draft.pk]),
        {"school": draft.s["none"].pk, "kind": "add", "status": "shnsu", "reason": "Обращение главы округа",
         "next": url + "?show=differs"},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Изменение внесено" in page and "Обращение главы округа" in page
    assert [row.school for row in response.context["rows"]] == [draft.s["none"]]  # «отличия от расчёта» only
    listed = client.get(url, {"show": "listed", "municipality": draft.s["none"].municipality_id}).context["rows"]
    assert (draft.s["none"], Status.SHNSU) in [(row.school, row.status) for row in listed]
    assert all(row.listed for row in listed) and draft.s["shnor"] in [row.school for row in listed]
    refused = client.post(
        reverse("schools:selection_change_add", args=[draft.pk]),
        {"school": draft.s["shnor"].pk, "kind": "remove", "reason": ""}, follow=True,
    ).content.decode()  # fmt: skip
    assert "Укажите основание изменения перечня" in refused
    assert ListChange.objects.count() == 1


def test_coordinator_proposes_for_their_municipality_and_the_department_decides(client, demo, draft, municipality_b):
    client.force_login(demo["coordinator"])
    page = client.get(reverse("schools:selection", args=[draft.pk])).content.decode()
    assert "Формирование перечня на 2025/26 учебный год" in page and draft.s["shnor"].short_name in page
    assert not any(school.short_name in page for school in municipality_b.schools.all())
    client.post(reverse("schools:selection_change_add", args=[draft.pk]),
                {"school": draft.s["shnor"].pk, "kind": "select", "reason": "Школа в кризисе"})  # fmt: skip
    # a school of another municipality typed into the form is out of reach
    other = municipality_b.schools.first()
    assert client.post(reverse("schools:selection_change_add", args=[draft.pk]),
                       {"school": other.pk, "kind": "select", "reason": "x"}).status_code == 404  # fmt: skip
    proposal = ListChange.objects.get()
    assert proposal.state == ListChange.State.PROPOSED

    client.force_login(demo["coordinator_b"])
    assert client.post(reverse("schools:selection_change_withdraw", args=[proposal.pk])).status_code == 404
    assert "Школа в кризисе" not in client.get(reverse("schools:selection", args=[draft.pk])).content.decode()

    client.force_login(demo["department"])
    preflight = client.get(reverse("schools:selection_approve", args=[draft.pk])).content.decode()
    assert "Нерассмотренные предложения координаторов: 1" in preflight and "Школа в кризисе" in preflight
    decided = client.post(reverse("schools:selection_change_decide", args=[proposal.pk]), {"action": "accept"},
                          follow=True).content.decode()  # fmt: skip
    assert "принято" in decided
    assert row_of(draft, draft.s["shnor"]).targeted


@pytest.mark.parametrize("reader", ["federal", "institute", "district"])
def test_a_reader_of_the_list_is_refused_a_proposal_with_403_and_nothing_is_written(client, demo, draft, reader):
    """The federal operator, the institute and a district's department read the region's list: a proposal or a
    withdrawal they POST is a 403, not a message on the way back (issue 20)."""
    proposal = add(draft, draft.s["shnor"], "select", demo["coordinator"], reason="Школа в кризисе")
    client.force_login(demo[reader])
    response = client.post(reverse("schools:selection_change_add", args=[draft.pk]),
                           {"school": draft.s["none"].pk, "kind": "curator_add", "reason": "Основание"})  # fmt: skip
    assert response.status_code == 403
    assert client.post(reverse("schools:selection_change_withdraw", args=[proposal.pk])).status_code == 403
    assert list(ListChange.objects.values_list("pk", flat=True)) == [proposal.pk]


def test_the_coordinator_reads_the_newest_draft_but_not_older_drafts(client, demo, draft):
    older = draft
    newer = run_execute(run_start(region_id=home_region_id(), year=YEAR, actor=demo["department"]))
    client.force_login(demo["coordinator"])
    assert client.get(reverse("schools:selection", args=[older.pk])).status_code == 404
    assert client.get(reverse("schools:selection", args=[newer.pk])).status_code == 200
    assert client.get(reverse("schools:selection_latest")).url == reverse("schools:selection", args=[newer.pk])
    client.force_login(demo["school"])
    assert client.get(reverse("schools:selection", args=[newer.pk])).status_code == 403


def test_approval_needs_the_confirmation_and_the_order_and_shows_the_preflight(client, demo, draft):
    client.force_login(demo["department"])
    preflight = client.get(reverse("schools:selection_approve", args=[draft.pk])).content.decode()
    no_data = draft.verdicts.filter(status=Status.NO_DATA).count()
    assert no_data >= 1 and f"Недостаточно данных: <strong>{no_data}</strong>" in preflight
    assert "Без кластера: <strong>4</strong>" in preflight and "Без социального паспорта: <strong>5</strong>" in preflight
    assert "66,7 %" in preflight  # 2 of 3 passports, in Russian format
    assert "Я ознакомлен(а)" in preflight

    for missing in ("confirm", "order_number", "order_date"):
        data = {key: value for key, value in ORDER.items() if key != missing}
        response = client.post(reverse("schools:run_approve", args=[draft.pk]), data)
        assert response.status_code == 400
        assert "Подтвердите, что вы ознакомились" in response.content.decode() or missing != "confirm"
        assert not SchoolYearStatus.objects.filter(year=YEAR).exists()
    done = client.post(reverse("schools:run_approve", args=[draft.pk]), ORDER, follow=True).content.decode()
    assert "Утверждён перечень 2026 года на 2025/26 учебный год" in done and "приказ от 01.02.2026 № 123-о" in done
    assert SchoolYearStatus.objects.filter(year=YEAR, run=draft).count() == draft.verdicts.count()


def test_a_run_without_a_summary_still_shows_its_preflight_and_page(client, demo, draft):
    IdentificationRun.objects.filter(pk=draft.pk).update(summary={})
    client.force_login(demo["department"])
    preflight = client.get(reverse("schools:selection_approve", args=[draft.pk])).content.decode()
    assert "до того, как расчёт сохранял сводку" in preflight
    assert client.get(reverse("schools:run_detail", args=[draft.pk])).status_code == 200


def approve_with_changes(demo, draft):
    department = demo["department"]
    add(draft, draft.s["none"], "add", department, reason="Обращение муниципалитета", status=Status.SHNSU)
    add(draft, draft.s["both"], "remove", department, reason="Школа реорганизована")
    add(draft, draft.s["shnor"], "select", department, reason="Отбор комиссии")
    list_approve(run=draft, actor=department, order_number="123-о", order_date=datetime.date(2026, 2, 1))


def test_the_approved_list_prints_as_the_annex_to_the_order(client, demo, draft):
    approve_with_changes(demo, draft)
    client.force_login(demo["department"])
    page = client.get(reverse("schools:selection_print", args=[draft.pk])).content.decode()
    assert "Приложение к приказу от 01.02.2026 № 123-о" in page and "css/list_print.css" in page
    assert draft.s["none"].name in page and "включить в перечень: Обращение муниципалитета" in page
    assert draft.s["both"].name not in page  # left out
    assert "ШНОР; адресная поддержка" in page and "по результатам идентификации" in page


def test_the_export_has_the_list_the_differences_and_a_print_setup(client, demo, draft):
    approve_with_changes(demo, draft)
    client.force_login(demo["department"])
    response = client.get(reverse("schools:selection_export", args=[draft.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Перечень", "Школы-кураторы", "Отличия от расчёта"]
    sheet = workbook["Перечень"]
    assert sheet["A1"].value == "Приложение к приказу от 01.02.2026 № 123-о"
    assert [c.value for c in sheet[3]][:4] == ["№", "Муниципалитет", "Школа", "Статус"]
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    names = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert names[draft.s["none"].name][3] == "ШНСУ" and names[draft.s["none"].name][5] == "не входит"
    assert draft.s["both"].name not in names
    differences = {row[1]: row for row in workbook["Отличия от расчёта"].iter_rows(min_row=3, values_only=True)}
    assert differences[draft.s["both"].short_name][2:4] == ("ШНОР и ШНСУ", "не входит")
    assert "Школа реорганизована" in differences[draft.s["both"].short_name][6]


def test_the_school_page_says_where_the_list_differs_from_the_computation(client, demo, draft):
    approve_with_changes(demo, draft)
    client.force_login(demo["department"])
    page = client.get(reverse("schools:detail", args=[draft.s["both"].pk])).content.decode()
    assert ("По расчёту: ШНОР и ШНСУ, в перечне: не входит — основание: исключить из перечня: Школа реорганизована"
            in page)  # fmt: skip
    assert "адресная поддержка" in client.get(reverse("schools:detail", args=[draft.s["shnor"].pk])).content.decode()


def test_the_run_page_counts_no_data_filters_flags_and_shows_the_summary(client, demo, draft):
    draft.verdicts.filter(school=draft.s["shnor"]).update(on_watch=True, objectivity_flag=True)
    client.force_login(demo["department"])
    url = reverse("schools:run_detail", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "недостаточно данных" in page and "без социального паспорта" in page and "66,7 %" in page
    assert reverse("schools:selection", args=[draft.pk]) in page
    for flag in ("watch", "objectivity"):
        shown = client.get(url, {"flag": flag}).context["page"].object_list
        assert [v.school_id for v in shown] == [draft.s["shnor"].pk]
    shown = client.get(url, {"status": "no_data"}).context["page"].object_list
    assert [v.school_id for v in shown] == [draft.s["no_data"].pk]
    listed = client.get(url, {"status": "listed"}).context["page"].paginator.count
    assert listed == draft.verdicts.filter(status__in=["shnor", "shnsu", "both"]).count()


def test_the_list_pages_keep_their_query_count_as_schools_and_changes_grow(client, demo, draft, municipality_a):
    client.force_login(demo["department"])
    urls = [reverse(name, args=[draft.pk]) for name in ("schools:selection", "schools:selection_print",
                                                        "schools:selection_export", "schools:selection_approve")]  # fmt: skip

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx))
        return result

    add(draft, draft.s["shnor"], "select", demo["department"])
    add(draft, draft.s["none"], "add", demo["coordinator"], status=Status.SHNOR)
    before = counts()
    School.objects.bulk_create(
        School(municipality=municipality_a, short_name=f"Новая {i}", name=f"Новая школа {i}") for i in range(30)
    )
    grown = run_execute(run_start(region_id=home_region_id(), year=YEAR, actor=demo["department"]))
    new = list(School.objects.filter(short_name__startswith="Новая").order_by("pk"))
    grown.verdicts.filter(school__in=new).update(status=Status.SHNOR, curator_candidate=False)
    for school in new[:10]:
        add(grown, school, "select", demo["department"])
    for school in new[10:15]:
        add(grown, school, "remove", demo["coordinator"])
    urls = [url.replace(f"/{draft.pk}/", f"/{grown.pk}/") for url in urls]
    assert counts() == before


def test_the_demo_list_names_its_school_team_school(demo):
    run = IdentificationRun.objects.get(approved_at__isnull=False)
    assert any(row.school.short_name == SCHOOL_TEAM_SCHOOL and row.listed
               for row in list_compose(run, School.objects.all()))  # fmt: skip


def test_the_outsider_reads_the_list_of_their_municipality_only(client, demo, municipality_a, municipality_b):
    run = IdentificationRun.objects.get(approved_at__isnull=False)
    a_names = set()
    for short_name, name in School.objects.filter(municipality=municipality_a).values_list("short_name", "name"):
        a_names |= {short_name, name}
    client.force_login(demo["coordinator_b"])
    texts = []
    for name in ("schools:selection", "schools:selection_print"):
        texts.append(client.get(reverse(name, args=[run.pk]), {"municipality": municipality_a.pk}).content.decode())
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(reverse("schools:selection_export", args=[run.pk])).content))
    texts.append("\n".join(str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c))
    for text in texts:
        assert not sorted(n for n in a_names if n in text)
    assert any(school.name in texts[1] for school in municipality_b.schools.all()) or "Школ в перечне нет" in texts[1]



def test_the_department_hears_of_a_proposal_and_the_coordinator_of_the_decision(client, demo, draft):
    from notifications.models import Notification

    s = draft.s
    proposal = add(draft, s["none"], "add", demo["coordinator"], reason="Школа просит поддержки", status=Status.SHNOR)
    told = Notification.objects.get(recipient=demo["department"], kind="list_change_proposed")
    assert s["none"].short_name in told.title and "Школа просит поддержки" in told.body
    client.force_login(demo["department"])
    opened = client.get(reverse("notifications:open", args=[told.pk]))
    assert opened.status_code == 302 and opened.url.endswith(f"/identification/{draft.pk}/list/?show=proposals")
    assert not Notification.objects.filter(recipient=demo["coordinator_b"]).filter(kind="list_change_proposed").exists()

    list_change_decide(change=proposal, actor=demo["department"], accept=False)
    answer = Notification.objects.get(recipient=demo["coordinator"], kind="list_change_decided")
    assert answer.title.endswith("отклонено")


@pytest.mark.parametrize("username", ["department", "coordinator", "coordinator_b"])
def test_the_home_page_leads_to_the_list_for_those_who_form_it(client, demo, username):
    client.force_login(demo[username])
    assert reverse("schools:selection_latest") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("username", ["school", "curator", "tutor"])
def test_the_home_page_does_not_offer_the_list_to_the_others(client, demo, username):
    client.force_login(demo[username])
    assert reverse("schools:selection_latest") not in client.get(reverse("home")).content.decode()
