"""The register of acts (реестр актов): what each role reads, registering with bad input, linking from a programme's
page, deleting with confirmation, the list's order, the xlsx, the yearly report's sheet and the register's queries."""

import datetime
import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Agreement
from portal.demo_acts import CURATORS_ORDER, MODEL_ORDER, PROGRAMME_ORDER
from portal.demo_territories import CONCEPT_ORDER
from programs.demo import MUNICIPAL_TITLE
from programs.models import Programme
from schools.demo import APPROVED_YEAR, MUNICIPALITY_A, MUNICIPALITY_B
from schools.models import Act, ActLink, IdentificationRun, Municipality
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name="приказ.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_acts() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "acts"
    return sorted(folder.iterdir()) if folder.exists() else []


def municipal_programme():
    return Programme.objects.get(kind=Programme.Kind.MUNICIPAL, title=MUNICIPAL_TITLE)


def form(municipality, **fields):
    return {
        "kind": "order", "number": "15-о", "date": "2025-03-01", "title": "Об утверждении программы перехода",
        "issuer": "Управление образования администрации района", "municipality": municipality.pk, "note": "",
    } | fields  # fmt: skip


def listed_acts(html: str, key: str) -> str:
    """The acts listed in the «Документы» block of `key` (not the choice of acts to link)."""
    block = html.split(f'data-acts-block="{key}"', 1)[1]
    return block.split("acts-list", 1)[1].split("</ul>", 1)[0] if "acts-list" in block.split("</section>")[0] else ""


def text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- the demo's acts, where a person meets them ------------------------------------------------------------------


def test_the_demo_acts_show_on_what_they_approve(client, full_demo):
    client.force_login(full_demo["coordinator"])
    programme = municipal_programme()
    page = text(client, reverse("programs:detail", args=[programme.pk]))
    approval = page.split("data-approval>", 1)[1].split("<", 1)[0]
    assert approval == f"приказ от 30.12.2024 № {PROGRAMME_ORDER}"
    block = page.split('data-acts-block="programme"', 1)[1]
    assert f"№ {PROGRAMME_ORDER}" in block and "Об утверждении программы поддержки" in block
    run = IdentificationRun.objects.get(approved_at__isnull=False, order_number="112-о")
    assert "№ 112-о" in text(client, reverse("schools:selection", args=[run.pk])).split('data-acts-block="list"')[1]
    criteria = text(client, reverse("schools:criteria", args=[APPROVED_YEAR])).split('data-acts-block="criteria"')[1]
    assert f"№ {MODEL_ORDER}" in criteria
    agreement = Agreement.objects.get(number="1-ШНОР")
    page = text(client, reverse("partnerships:agreement", args=[agreement.pk])).split('data-acts-block="agreement"')[1]
    assert f"№ {CURATORS_ORDER}" in page


def test_a_programme_without_an_act_says_so_in_its_passport(client, full_demo):
    client.force_login(full_demo["school"])
    own = Programme.objects.filter(school__isnull=False, school__short_name="Покровская СОШ").first()
    page = text(client, reverse("programs:detail", args=[own.pk]))
    assert page.split("data-approval>", 1)[1].startswith("акт об утверждении не внесён в реестр")


# --- who reads what ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username, readable, unreadable",
    [
        ("department", {PROGRAMME_ORDER, MODEL_ORDER, "112-о", CURATORS_ORDER}, set()),
        ("coordinator", {PROGRAMME_ORDER, MODEL_ORDER, "112-о", CURATORS_ORDER}, set()),
        # the outsider: the region's acts, not municipality A's
        ("coordinator_b", {MODEL_ORDER, "112-о"}, {PROGRAMME_ORDER, CURATORS_ORDER}),
        # the school team: the approved list and its school's agreement; not the municipal programme's order
        ("school", {"112-о", CURATORS_ORDER}, {PROGRAMME_ORDER, MODEL_ORDER}),
        ("tutor", {"112-о"}, {PROGRAMME_ORDER, MODEL_ORDER, CURATORS_ORDER}),
    ],
)
def test_each_role_reads_the_acts_of_its_reach_and_404_beyond(client, full_demo, username, readable, unreadable):
    client.force_login(full_demo[username])
    register = text(client, reverse("schools:acts"))
    for number in readable:
        act = Act.objects.get(number=number)
        assert f"№ {number}</a>" in register, number
        assert client.get(reverse("schools:act_detail", args=[act.pk])).status_code == 200, number
    for number in unreadable:
        act = Act.objects.get(number=number)
        assert f"№ {number}</a>" not in register, number
        assert client.get(reverse("schools:act_detail", args=[act.pk])).status_code == 404, number
        assert client.get(reverse("schools:act_file", args=[act.pk])).status_code == 404, number


def test_a_coordinator_reads_the_regions_acts_but_changes_only_their_municipalitys(client, full_demo):
    client.force_login(full_demo["coordinator"])
    region_act = Act.objects.get(number=MODEL_ORDER)
    own = Act.objects.get(number=PROGRAMME_ORDER)
    assert client.get(reverse("schools:act_edit", args=[region_act.pk])).status_code == 403
    assert client.post(reverse("schools:act_delete", args=[region_act.pk])).status_code == 403
    assert Act.objects.filter(pk=region_act.pk).exists()
    assert client.get(reverse("schools:act_edit", args=[own.pk])).status_code == 200
    assert "Удалить" not in text(client, reverse("schools:act_detail", args=[region_act.pk]))


# --- registering: bad input is refused in Russian and nothing is stored ------------------------------------------


def test_bad_input_is_refused_with_russian_messages_and_nothing_half_stored(client, full_demo):
    coordinator = full_demo["coordinator"]
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    client.force_login(coordinator)
    url = reverse("schools:act_create")
    before, files_before = Act.objects.count(), stored_acts()
    far = timezone.localdate() + datetime.timedelta(days=400)
    cases = [
        (form(municipality, date=far.isoformat(), file=pdf()), "проверьте год"),
        (form(municipality, file=pdf("приказ.pdf", b"PK\x03\x04 a Word document")), "по содержимому это не PDF"),
        (form(municipality, file=pdf("пустой.pdf", b"")), "пуст"),
        # the programme's order of the demo again, typed in another case and with extra spaces
        (form(municipality, number=PROGRAMME_ORDER.upper().replace(" ", "  "), date="2024-12-30",
              issuer=Act.objects.get(number=PROGRAMME_ORDER).issuer.lower(), file=pdf()), "уже есть в реестре"),
        # another municipality's act is not the coordinator's to register
        (form(Municipality.objects.get(name=MUNICIPALITY_B), file=pdf()), "Выберите корректный вариант"),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode(), message
    assert Act.objects.count() == before
    assert stored_acts() == files_before


def test_a_registered_act_is_downloaded_only_through_its_page(client, full_demo):
    client.force_login(full_demo["coordinator"])
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    response = client.post(reverse("schools:act_create"), form(municipality, file=pdf("Приказ 15-о.pdf")))
    act = Act.objects.get(number="15-о")
    assert response.status_code == 302 and response.url == reverse("schools:act_detail", args=[act.pk])
    assert act.history.latest().history_user == full_demo["coordinator"]
    download = client.get(reverse("schools:act_file", args=[act.pk]))
    assert download["Content-Disposition"].startswith("attachment") and "filename" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF
    client.force_login(full_demo["coordinator_b"])
    assert client.get(reverse("schools:act_file", args=[act.pk])).status_code == 404


# --- linking from the programme's page; the passport names the order -------------------------------------------


def test_the_coordinator_registers_the_order_from_the_programme_and_the_passport_names_it(client, full_demo):
    client.force_login(full_demo["coordinator"])
    accepted = Programme.objects.get(school__short_name="Берёзовская ООШ")
    municipality = accepted.municipality
    detail = reverse("programs:detail", args=[accepted.pk])
    create = reverse("schools:act_create") + f"?target=programme&object={accepted.pk}"
    assert "Зарегистрировать акт" in text(client, detail)
    response = client.post(create, form(municipality, number="201-о", date="2025-09-01", next=detail, file=pdf()))
    assert response.status_code == 302 and response.url == detail
    page = text(client, detail)
    assert page.split("data-approval>", 1)[1].startswith("приказ от 01.09.2025 № 201-о")
    # another act of the register linked from the block, then unlinked
    other = Act.objects.get(number=CURATORS_ORDER)
    client.post(reverse("schools:act_link", args=["programme", accepted.pk]), {"act": other.pk, "next": detail})
    assert f"№ {CURATORS_ORDER}" in listed_acts(text(client, detail), "programme")
    link = ActLink.objects.get(act=other, target="programme", object_id=accepted.pk)
    client.post(reverse("schools:act_unlink", args=[other.pk, link.pk]), {"next": detail})
    assert f"№ {CURATORS_ORDER}" not in listed_acts(text(client, detail), "programme")
    # the school team reads the programme's acts but links none
    client.force_login(full_demo["school"])
    own = Programme.objects.filter(school__short_name="Покровская СОШ").first()
    assert "Связать" not in text(client, reverse("programs:detail", args=[own.pk])).split('data-acts-block')[1]


def test_delete_asks_to_confirm_and_removes_the_file_after_the_commit(client, full_demo):
    client.force_login(full_demo["coordinator"])
    act = Act.objects.get(number=PROGRAMME_ORDER)
    stored = Path(act.file.path)
    page = text(client, reverse("schools:act_delete", args=[act.pk]))
    assert "Удалить акт из реестра?" in page and MUNICIPAL_TITLE[:40] in page
    assert Act.objects.filter(pk=act.pk).exists() and stored.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("schools:act_delete", args=[act.pk]))
    assert response.status_code == 302
    assert not Act.objects.filter(pk=act.pk).exists() and not stored.exists()
    assert not ActLink.objects.filter(act_id=act.pk).exists()
    assert Act.history.filter(id=act.pk, history_type="-").get().history_user == full_demo["coordinator"]
    assert "акт об утверждении не внесён" in text(client, reverse("programs:detail", args=[municipal_programme().pk]))


# --- the list's order ----------------------------------------------------------------------------------------------


def test_approving_a_list_registers_its_order_once(full_demo):
    from schools.identification import run_execute, run_start
    from schools.selection import list_approve

    department = full_demo["department"]
    first = run_execute(run_start(region_id=home_region_id(), year=APPROVED_YEAR, actor=department, note=""))
    second = run_execute(run_start(region_id=home_region_id(), year=APPROVED_YEAR, actor=department, note=""))
    for run in (first, second):
        list_approve(run=run, actor=department, order_number="57-о", order_date=datetime.date(APPROVED_YEAR, 8, 20))
    act = Act.objects.get(number="57-о")
    assert act.kind == Act.Kind.ORDER and f"на {APPROVED_YEAR} год" in act.title
    assert sorted(act.links.values_list("target", "object_id")) == [("list", first.pk), ("list", second.pk)]
    assert IdentificationRun.objects.get(pk=second.pk).order_number == "57-о"  # the run keeps its own record


# --- the register's page: filters, export, queries ---------------------------------------------------------------


def test_the_register_filters_by_kind_year_municipality_and_what_it_approves(client, full_demo):
    client.force_login(full_demo["department"])
    url = reverse("schools:acts")

    def numbers(**query) -> set[str]:
        page = client.get(url, query).content.decode()
        return {act.number for act in Act.objects.all() if f"№ {act.number}</a>" in page}

    assert numbers(approves="list") == {"112-о"}
    assert numbers(approves="criteria") == {MODEL_ORDER}
    # the region's acts: the demo region's only — seed 004's territory (`portal.demo_territories`) is another
    # region's department's (issue 20)
    assert numbers(municipality="region") == {"112-о", MODEL_ORDER}
    # the year is the school year, as everywhere: an order of 30 December 2024 is one of 2024/25
    assert numbers(year=2025, approves="programme") == {PROGRAMME_ORDER}
    assert PROGRAMME_ORDER not in numbers(year=2024)
    assert numbers(q="кураторов") == {CURATORS_ORDER}
    assert numbers(kind="minutes") == set()
    # the second region's department reads its own region's acts and none of the first region's
    client.force_login(full_demo["department_b"])
    assert numbers(municipality="region") == {CONCEPT_ORDER, "б/н"}
    assert numbers(approves="list") == set()


def test_the_export_prints_as_a_register_and_escapes_formulas(client, full_demo):
    client.force_login(full_demo["coordinator"])
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    client.post(reverse("schools:act_create"), form(municipality, title="=HYPERLINK(\"x\")"))
    response = client.get(reverse("schools:acts_export"), {"municipality": municipality.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.print_title_rows == "$4:$4"
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert {row[2] for row in rows} == {PROGRAMME_ORDER, CURATORS_ORDER, "15-о"}
    assert "=HYPERLINK(\"x\")" in {row[4] for row in rows}
    programme_row = next(row for row in rows if row[2] == PROGRAMME_ORDER)
    assert programme_row[7] == f"программа: {MUNICIPAL_TITLE}" and programme_row[3] == datetime.datetime(2024, 12, 30)


def test_the_register_costs_the_same_queries_with_5_and_60_more_acts(client, full_demo):
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    programme = municipal_programme()
    agreement = Agreement.objects.get(number="1-ШНОР")

    def grow(total):
        for n in range(Act.objects.count(), total):
            # older than the demo's acts: the first page holds the same kinds of links at both sizes
            act = Act.objects.create(kind="order", number=f"N-{n}", date=datetime.date(2000, 1, 1 + n % 28),
                                     title="Акт", issuer="УО", municipality=municipality, region=municipality.region)  # fmt: skip
            ActLink.objects.create(act=act, target="programme", object_id=programme.pk)
            ActLink.objects.create(act=act, target="agreement", object_id=agreement.pk)

    def queries(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("schools:acts")).status_code == 200
        return len(ctx)

    demo_acts = Act.objects.count()
    grow(demo_acts + 5)
    small = {name: queries(full_demo[name]) for name in ("department", "coordinator", "school")}
    grow(demo_acts + 60)
    assert {name: queries(full_demo[name]) for name in ("department", "coordinator", "school")} == small


# --- the yearly report ---------------------------------------------------------------------------------------------


def test_the_yearly_report_lists_the_acts_of_the_school_year_in_its_scope(full_demo):
    from monitoring.yearly_report import report_write

    def numbers(user, municipality=None) -> set:
        target = io.BytesIO()
        report_write(target, user=user, year=2025, municipality=municipality)  # the school year 2024/25
        sheet = openpyxl.load_workbook(io.BytesIO(target.getvalue()))["Акты за год"]
        assert [cell.value for cell in sheet[1]][:3] == ["Вид", "Номер", "Дата"]
        return {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}

    # № 8 (20.01.2024) and «112-о» (28.08.2024) are of the school year 2023/24
    assert PROGRAMME_ORDER in numbers(full_demo["department"])
    assert {MODEL_ORDER, "112-о"}.isdisjoint(numbers(full_demo["department"]))
    assert PROGRAMME_ORDER not in numbers(full_demo["coordinator_b"], Municipality.objects.get(name=MUNICIPALITY_B))


def test_the_register_prints_its_last_column_on_the_first_page_in_libreoffice(client, full_demo, tmp_path):
    from .test_list_files_in_libreoffice import libreoffice

    client.force_login(full_demo["department"])
    path = tmp_path / "reestr.xlsx"
    path.write_bytes(client.get(reverse("schools:acts_export")).content)
    pdf_path = libreoffice(path, "pdf", tmp_path / "out")
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf_path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "Реестр актов" in first_page and "112-о" in first_page
    assert "Примечание" in first_page and "Файл" in first_page, first_page[:800]


def test_an_edit_with_a_bad_file_changes_nothing_and_a_good_one_replaces_the_old_file(client, full_demo):
    client.force_login(full_demo["coordinator"])
    act = Act.objects.get(number=PROGRAMME_ORDER)
    old = Path(act.file.path)
    url = reverse("schools:act_edit", args=[act.pk])
    data = {"kind": "order", "number": act.number, "date": "2024-12-30", "title": "Новое название",
            "issuer": act.issuer, "municipality": act.municipality_id, "note": ""}  # fmt: skip
    response = client.post(url, data | {"file": pdf("скан.pdf", b"\x89PNG\r\n\x1a\n not a pdf")})
    assert response.status_code == 400 and "по содержимому это не PDF" in response.content.decode()
    act.refresh_from_db()
    assert act.title.startswith("Об утверждении программы") and Path(act.file.path) == old and old.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data | {"file": pdf("скан.pdf", PDF + b"% v2\n")})
    assert response.status_code == 302
    act.refresh_from_db()
    assert act.title == "Новое название" and act.file_name == "скан.pdf" and not old.exists()
    assert act.file.read() == PDF + b"% v2\n"
