"""The department's pages for importing results: who may open them, upload → preview → confirm, bad files."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from schools.demo import MUNICIPALITY_A
from schools.import_views import UPLOAD_KIND
from schools.models import ResultImport, School, SchoolNameAlias, SchoolResult
from shnor_portal.uploads.holding import HOLD_DIR, SESSION_KEY
from tests.schools.test_ege_workbook import FILES, JEWISH_AO, long_rows, real_workbook, workbook_bytes
from tests.schools.test_results_import import table_counts

pytestmark = pytest.mark.django_db

UPLOAD = reverse("schools:results_import")
PREVIEW = reverse("schools:results_import_preview")
TEMPLATE = reverse("schools:results_import_template")
IMPORT_URLS = [UPLOAD, PREVIEW, TEMPLATE]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def department(client, demo):
    client.force_login(demo["department"])
    return client


def xlsx(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def upload(client, name: str, data: bytes):
    return client.post(UPLOAD, {"file": xlsx(name, data)})


def stored_files(settings) -> list[Path]:
    return sorted(path for path in (Path(settings.MEDIA_ROOT) / HOLD_DIR).rglob("*") if path.is_file())


# --- access --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["coordinator", "coordinator_b", "school", "curator", "tutor"])
@pytest.mark.parametrize("url", IMPORT_URLS)
def test_only_the_department_opens_import_pages(client, demo, username, url):
    client.force_login(demo[username])
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("url", IMPORT_URLS)
def test_anonymous_visitor_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_non_department_upload_stores_no_file(client, demo, settings):
    client.force_login(demo["coordinator"])
    assert upload(client, "r.xlsx", workbook_bytes({"Лист1": long_rows()})).status_code == 403
    assert stored_files(settings) == []


def test_department_sees_the_upload_page_with_the_template_link(department):
    html = department.get(UPLOAD).content.decode()
    assert "Загрузка результатов" in html
    assert TEMPLATE in html
    assert "spinner-border" in html


def test_template_download_is_the_long_format_workbook(department):
    response = department.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook["Результаты"][1]] == ["Муниципалитет", "Школа", "Год", "Код результата", "Значение"]


def test_preview_without_an_upload_sends_back_to_the_upload_page(department):
    response = department.get(PREVIEW, follow=True)
    assert response.redirect_chain[-1][0] == UPLOAD
    assert "Сначала загрузите файл с результатами." in response.content.decode()


# --- the flow ------------------------------------------------------------------------------------------------------


def test_upload_preview_and_confirm_with_a_decision(department, settings, demo):
    data = workbook_bytes(
        {
            "Результаты": long_rows(
                [MUNICIPALITY_A, "Заречная СОШ № 1", 2024, "oge-russian-participants", 30],
                [MUNICIPALITY_A, "МКОУ Никольская школа", 2024, "oge-russian-participants", 12],
            )
        }
    )
    response = upload(department, "огэ 2024.xlsx", data)
    assert response.status_code == 302 and response.url == PREVIEW
    (stored,) = stored_files(settings)
    assert stored.suffix == ".xlsx" and department.session[SESSION_KEY][UPLOAD_KIND]["id"] == stored.stem
    assert stored.parent == Path(settings.MEDIA_ROOT) / HOLD_DIR / UPLOAD_KIND / str(demo["department"].pk)
    # Stored files are not served: MEDIA_URL is routed nowhere.
    relative = stored.relative_to(settings.MEDIA_ROOT)
    assert department.get(f"{settings.MEDIA_URL}{relative}").status_code == 404

    counts = table_counts()
    response = department.get(PREVIEW)
    html = response.content.decode()
    assert "Проверка файла «огэ 2024.xlsx»" in html
    assert "МКОУ Никольская школа" in html and "сопоставить с существующей" in html
    assert table_counts() == counts  # the preview stores nothing

    preview = response.context["preview"]
    (name,) = preview.unmatched
    school = School.objects.get(short_name="Никольская ООШ")
    response = department.post(PREVIEW, {f"action-{name.key}": "map", f"school-{name.key}": str(school.pk)}, follow=True)
    assert response.redirect_chain[-1][0] == UPLOAD
    assert "Результаты из файла «огэ 2024.xlsx» загружены." in response.content.decode()
    assert school.results.get(year=2024, measure__code="oge-russian-participants").value == 12
    assert SchoolNameAlias.objects.get().school == school
    imported = ResultImport.objects.get()
    assert (imported.imported_by, imported.value_count, imported.file_name) == (demo["department"], 2, "огэ 2024.xlsx")
    assert stored_files(settings) == [] and UPLOAD_KIND not in department.session[SESSION_KEY]


def test_mapping_without_a_chosen_school_is_asked_again(department):
    data = workbook_bytes({"Результаты": long_rows([MUNICIPALITY_A, "МКОУ Никольская школа", 2024, "oge-math-mean_score", 3.5])})
    upload(department, "r.xlsx", data)
    name = department.get(PREVIEW).context["preview"].unmatched[0]
    counts = table_counts()
    response = department.post(PREVIEW, {f"action-{name.key}": "map", f"school-{name.key}": ""})
    assert response.status_code == 200
    assert "выберите школу, с которой её сопоставить" in response.content.decode()
    assert table_counts() == counts


def test_unknown_municipality_offers_a_municipality_for_new_schools(department, municipality_a):
    data = workbook_bytes({"Результаты": long_rows(["Неизвестный район", "МБОУ «СОШ № 99»", 2024, "vpr-russian-participants", 9])})
    upload(department, "r.xlsx", data)
    response = department.get(PREVIEW)
    html = response.content.decode()
    assert "Муниципалитет не найден в реестре" in html and "создать новый: «Неизвестный район»" in html
    form = response.context["form"]
    (field_name,) = [name for name in form.fields if name.startswith("municipality-")]
    name = response.context["preview"].unmatched[0]
    department.post(PREVIEW, {f"action-{name.key}": "create", field_name: str(municipality_a.pk)})
    school = School.objects.get(name="МБОУ «СОШ № 99»")
    assert school.municipality == municipality_a
    assert school.results.get().value == 9


def test_real_workbook_through_the_pages(client, demo, django_user_model):
    """The region's own department loads its return: the region's municipalities and schools are made as it goes."""
    from schools.models import Region, RoleAssignment

    region = Region.objects.create(name="Еврейская автономная область")
    ministry = django_user_model.objects.create_user("eao", password="x")
    RoleAssignment.objects.create(user=ministry, role=RoleAssignment.Role.DEPARTMENT, region=region)
    client.force_login(ministry)
    department = client
    upload(department, JEWISH_AO, real_workbook(JEWISH_AO).read_bytes())
    response = department.get(PREVIEW)
    preview = response.context["preview"]
    assert not preview.errors and len(preview.unmatched) == 44
    html = response.content.decode()
    assert "Отчёт о результатах ЕГЭ: Еврейская автономная область" in html
    assert "Русский язык — 43" in html  # schools with Russian in 2022
    form = response.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial}
    response = department.post(PREVIEW, data, follow=True)
    assert "загружены" in response.content.decode()
    imported = SchoolResult.objects.filter(year=2022, school__municipality__region__name="Еврейская автономная область")
    assert imported.values("school").distinct().count() == 43


# --- bad files -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "data", "message"),
    [
        ("пусто.xlsx", workbook_bytes({"Лист1": []}), "В книге нет данных: лист «Лист1» пуст"),
        ("слова.xlsx", workbook_bytes({"Результаты": long_rows(["Р", "СОШ", 2024, "oge-russian-participants", "много"])}),
         "Лист «Результаты», строка 2, столбец E: ожидается число, а указано «много»."),
    ],
)
def test_bad_file_is_shown_with_its_error_and_cannot_be_confirmed(department, file_name, data, message):
    counts = table_counts()
    upload(department, file_name, data)
    html = department.get(PREVIEW).content.decode()
    assert "В файле есть ошибки — загрузить его нельзя" in html
    assert message in html
    assert "Сохранить в реестр" not in html
    department.post(PREVIEW, {})
    assert table_counts() == counts


def test_a_file_that_is_no_workbook_is_refused_on_the_upload_page(department, settings):
    response = upload(department, "отчёт.xlsx", (FILES / "renamed_pdf.xlsx").read_bytes())
    assert response.status_code == 200
    assert "Файл не является книгой Excel (.xlsx)" in response.content.decode()
    assert stored_files(settings) == []


def test_empty_upload_is_refused_on_the_upload_page(department, settings):
    response = department.post(UPLOAD, {"file": xlsx("пустой.xlsx", b"")})
    assert response.status_code == 200
    assert "Отправленный файл пуст" in response.content.decode()
    assert stored_files(settings) == []


def test_file_larger_than_the_limit_is_refused_on_the_upload_page(department, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = upload(department, "большой.xlsx", b"x" * 2048)
    assert response.status_code == 200
    assert "Файл больше допустимого размера (1 КБ)." in response.content.decode()
    assert stored_files(settings) == []


def test_a_new_upload_replaces_the_previous_one(department, settings):
    upload(department, "a.xlsx", workbook_bytes({"Лист1": long_rows()}))
    upload(department, "b.xlsx", workbook_bytes({"Лист1": long_rows()}))
    assert len(stored_files(settings)) == 1
    assert department.session[SESSION_KEY][UPLOAD_KIND]["name"] == "b.xlsx"
