"""The upload pipeline shared by every import (`shnor_portal.uploads`): typed readers and their Russian messages, the one
way a problem is said, the one check of a file, and the holding of an upload until it is confirmed."""

import datetime
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory

from shnor_portal import uploads
from shnor_portal.uploads import (
    CellError,
    Column,
    Problem,
    Problems,
    Sheet,
    UploadRefused,
    choice_reader,
    read_count,
    read_date,
    read_decimal,
    read_integer,
    read_number,
    read_percent,
    read_table,
    read_workbook,
    read_year,
    read_yes_no,
    text_reader,
)
from shnor_portal.uploads.holding import HOLD_DIR, HOLD_FOR, SESSION_KEY


def refusal(reader, value) -> str:
    with pytest.raises(CellError) as refused:
        reader(value)
    return str(refused.value)


# --- readers -------------------------------------------------------------------------------------------------------


def test_numbers_are_read_as_people_type_them():
    assert read_decimal("12,5") == Decimal("12.50")
    assert read_decimal("1 200") == Decimal("1200.00")
    assert read_decimal("12,5 %") == Decimal("12.50")
    assert read_decimal(7) == Decimal("7.00")
    assert read_decimal(None) is None and read_decimal("  ") is None and read_decimal("—") is None
    assert read_number("3,8") == 3.8 and read_number("-") is None
    assert read_count("12") == 12 and read_count(12.0) == 12
    assert read_percent("33,35") == Decimal("33.4")
    assert read_year(2024.0) == 2024
    assert read_date("31.12.2025") == datetime.date(2025, 12, 31)
    assert read_date(datetime.datetime(2025, 1, 2, 10, 0)) == datetime.date(2025, 1, 2)
    assert read_yes_no("Да") is True and read_yes_no("нет") is False and read_yes_no("") is None


@pytest.mark.parametrize(
    ("reader", "value", "message"),
    [
        (read_decimal, "много", "ожидается число, а указано «много»"),
        (read_decimal, True, "ожидается число, а указано «да»"),
        (read_decimal, datetime.date(2025, 9, 1), "ожидается число, а указано дата 01.09.2025"),
        (read_number, "н/д", "ожидается число, а указано «н/д»"),
        (lambda v: read_number(v, minimum=0), -1, "число не может быть отрицательным, а указано -1"),
        (lambda v: read_number(v, whole=True), 2.5, "ожидается целое число, а указано 2,5"),
        (read_count, "2,5", "ожидается целое число, а указано «2,5»"),
        (read_count, -5, "число не может быть отрицательным, а указано -5"),
        (lambda v: read_integer(v, minimum=1, maximum=3), 5, "ожидается число от 1 до 3, а указано 5"),
        (read_percent, 150, "доля указывается в процентах от 0 до 100, а указано 150"),
        (read_year, "24-й", "ожидается год четырьмя цифрами, например 2024, а указано «24-й»"),
        (read_year, 1812, "ожидается год от 2000 до 2100, а указано 1812"),
        (read_date, "31.02.2025", "ожидается дата вида 31.12.2025, а указано «31.02.2025»"),
        (read_yes_no, "может быть", "ожидается «да» или «нет», а указано «может быть»"),
        (text_reader(3), "длинно", "слишком длинное значение: 6 символов, допустимо не больше 3"),
        (choice_reader({"входной": "entry", "итоговый": "final"}), "весенний",
         "ожидается одно из значений: «входной», «итоговый», а указано «весенний»"),
    ],
)
def test_every_reader_says_what_was_expected_and_what_was_found(reader, value, message):
    assert refusal(reader, value) == message


def test_a_choice_is_found_however_it_is_typed():
    read = choice_reader({"Промежуточный": "interim"})
    assert read(" промежуточный ") == read("ПРОМЕЖУТОЧНЫЙ") == "interim" and read(None) is None


# --- problems ------------------------------------------------------------------------------------------------------


def test_a_problem_is_one_sentence_naming_sheet_row_and_column():
    assert str(Problem("ожидается число, а указано «много»", sheet="Профили", row=3, column=4, header="Обучающихся")) == (
        "Лист «Профили», строка 3, столбец D («Обучающихся»): ожидается число, а указано «много»."
    )
    assert str(Problem("нет обязательного столбца", sheet="Школы", row=1, header="Тип")) == (
        "Лист «Школы», строка 1, столбец «Тип»: нет обязательного столбца."
    )
    assert str(Problem("В книге нет листа «Самооценка».")) == "В книге нет листа «Самооценка»."


def test_problems_keep_the_first_ones_and_count_them_all():
    problems = Problems(limit=2)
    for row in (5, 3, 4):
        problems.add("ошибка", sheet="Лист1", row=row)
    assert problems.count == 3 and len(problems) == 2 and problems.omitted == 1
    problems.in_file_order()
    assert [p.row for p in problems] == [3, 5]
    copy = Problems()
    copy.extend(problems)
    assert copy.count == 3


def test_a_table_is_read_by_its_headers_and_names_each_bad_cell():
    sheet = Sheet("Школы", [("Год", "Школа", "Лишний"), (2024, "СОШ", None), ("двадцать", None, None)])
    columns = [Column("Школа", "school", text_reader(10), required=True), Column("Год", "year", read_year)]
    problems = Problems()
    assert read_table(sheet, columns, problems) is None
    assert problems.messages() == ["Лист «Школы», строка 1, столбец C: столбец «Лишний» не распознан. Названия столбцов — как в шаблоне."]
    sheet.rows[0] = ("Год", "Школа", None)
    problems = Problems()
    rows = read_table(sheet, columns, problems)
    assert [row.values for row in rows] == [{"year": 2024, "school": "СОШ"}, {"year": None, "school": ""}]
    assert problems.messages() == [
        "Лист «Школы», строка 3, столбец A («Год»): ожидается год четырьмя цифрами, например 2024, а указано «двадцать».",
        "Лист «Школы», строка 3, столбец B («Школа»): ячейка обязательна, а она пустая.",
    ]


# --- the check of a file -------------------------------------------------------------------------------------------


def workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Данные"
    book.active.append(["Школа", "Год"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Файл пуст"),
        (b"%PDF-1.4 renamed", "Файл не является книгой Excel (.xlsx)"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "старом формате Excel 97–2003 (.xls)"),
    ],
)
def test_a_file_that_is_no_workbook_is_refused_in_russian(data, message):
    with pytest.raises(UploadRefused, match=re.escape(message)):
        read_workbook(data)


def test_one_limit_for_every_import(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadRefused, match=r"Файл больше допустимого размера \(100 байт\)"):
        read_workbook(workbook_bytes())
    field = uploads.XlsxFileField()
    with pytest.raises(Exception, match="Файл больше допустимого размера"):
        field.clean(SimpleUploadedFile("a.xlsx", workbook_bytes()))


def test_a_workbook_is_read_as_rows():
    (sheet,) = read_workbook(workbook_bytes())
    assert (sheet.title, sheet.rows[0][:3], sheet.cell(1, 2), sheet.cell(5, 5)) == ("Данные", ("Школа", "Год", None), "Год", None)


# --- holding an upload ---------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def request_of(user, session=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = session if session is not None else SessionBase()
    return request


def held_files(media: Path) -> list[Path]:
    return sorted(path for path in (media / HOLD_DIR).rglob("*") if path.is_file())


def age(path: Path, by: datetime.timedelta) -> None:
    stamp = (datetime.datetime.now() - by).timestamp()
    os.utime(path, (stamp, stamp))


def test_an_upload_is_held_for_its_user_and_kind(media, django_user_model):
    owner = django_user_model.objects.create_user("owner")
    other = django_user_model.objects.create_user("other")
    request = request_of(owner)
    upload = uploads.hold(request, "registry", SimpleUploadedFile("реестр.xlsx", b"data"), year=2025)
    assert (upload.name, upload.context, upload.read()) == ("реестр.xlsx", {"year": 2025}, b"data")
    (path,) = held_files(media)
    assert path.relative_to(media).parts[:3] == (HOLD_DIR, "registry", str(owner.pk))
    assert uploads.held(request, "registry").read() == b"data"
    assert uploads.held(request, "values") is None  # another import does not see it
    # Another user with the same session data reaches nothing: the file's path holds its user.
    stolen = SessionBase()
    stolen[SESSION_KEY] = dict(request.session[SESSION_KEY])
    assert uploads.held(request_of(other, stolen), "registry") is None
    uploads.discard(request, "registry")
    assert held_files(media) == [] and uploads.held(request, "registry") is None


def test_a_new_upload_of_a_kind_replaces_the_one_before(media, django_user_model):
    request = request_of(django_user_model.objects.create_user("u"))
    uploads.hold(request, "values", b"first")
    uploads.hold(request, "values", b"second")
    assert [path.read_bytes() for path in held_files(media)] == [b"second"]


def test_an_expired_upload_is_removed_when_asked_for(media, django_user_model):
    request = request_of(django_user_model.objects.create_user("u"))
    uploads.hold(request, "results", b"data")
    (path,) = held_files(media)
    age(path, HOLD_FOR + datetime.timedelta(minutes=1))
    assert uploads.held(request, "results") is None
    assert held_files(media) == []


def test_the_command_removes_every_expired_upload_and_keeps_the_fresh_ones(media, django_user_model):
    first = request_of(django_user_model.objects.create_user("a"))
    second = request_of(django_user_model.objects.create_user("b"))
    uploads.hold(first, "results", b"old")
    uploads.hold(second, "passports", b"new")
    back_office = media / HOLD_DIR / "back-office" / "a1b2"
    back_office.parent.mkdir(parents=True)
    back_office.write_bytes(b"old too")
    for path in held_files(media):
        if path.read_bytes().startswith(b"old"):
            age(path, HOLD_FOR * 2)
    out = io.StringIO()
    call_command("remove_expired_uploads", stdout=out)
    assert "Удалено неподтверждённых загрузок старше 24 ч: 2." in out.getvalue()
    assert [path.read_bytes() for path in held_files(media)] == [b"new"]
