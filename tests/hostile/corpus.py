"""Bad files, built deterministically in code: nothing large is committed, the zip bomb and the files over the upload
limits are made at test time.

Two families are thrown at every upload point of the portal:

- `WORKBOOK_CORPUS`: what an import of an xlsx must refuse as a file (renamed binaries, an old .xls, CSV in cp1251,
  a broken archive, zip bombs, XML entity tricks, …);
- `EVIDENCE_CORPUS`: what an upload of a document (evidence, scans, practice files, open reports) must refuse.

Cell-level problems (text in number cells, odd dates, duplicate rows, out-of-range values, another school's code …)
depend on each import's template and are built in `test_uploads.py` from the portal's own templates.
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl

# What the refusal must say (a regular expression over the page text).
NOT_A_WORKBOOK = r"не является книгой Excel \(\.xlsx\)|Не удалось прочитать книгу Excel"
OLD_XLS = r"старом формате Excel 97–2003 \(\.xls\)"
EMPTY = r"Отправленный файл пуст|Файл пуст"
TOO_BIG = r"Файл больше допустимого размера|больше допустимых"
UNPACKS_TOO_BIG = r"в распакованном виде занимает .* больше допустимых"
TOO_MANY_PARTS = r"В книге слишком много частей"
EVIDENCE_NOT_ACCEPTED = r"не принят: по содержимому это не PDF|архив, но не документ Word"
EVIDENCE_OLD_OFFICE = r"сохранён в старом формате Word или Excel 97–2003"

BOMB_GIB = 2  # the honest zip bomb unpacks to this many GiB of zeros


@dataclass(frozen=True)
class Bad:
    key: str
    file_name: str
    make: Callable[..., bytes]  # make(limit) → bytes; `limit` is the upload point's size limit in bytes
    expect: str


# --- small building blocks ------------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # the header of an .xls / .doc (Office 97–2003)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
HTML = "<!doctype html><html><body><script>alert('привет')</script></body></html>".encode()
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'
CSV_CP1251 = "Муниципалитет;Школа;Год;Код результата;Значение\r\nГород;МБОУ СОШ № 1;2024;oge-russian-participants;12\r\n"
CSV_FORMULA = '=cmd|" /C calc"!A0;+1+1;-2+3;@SUM(A1:A2)\r\n'


def _zip(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An xlsx made by openpyxl with the given sheets and rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    members = _members(data)
    members[name] = content
    return _zip(members)


def _small_workbook() -> bytes:
    return workbook({"Лист1": [["Муниципалитет", "Школа"], ["Город", "СОШ № 1"]]})


def _shared_strings_workbook(shared_strings_xml: str) -> bytes:
    """A workbook whose only cell refers to shared string 0, with the given sharedStrings.xml."""
    base = _small_workbook()
    members = _members(base)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    members["xl/sharedStrings.xml"] = shared_strings_xml.encode()
    types = members["[Content_Types].xml"].decode()
    if "sharedStrings" not in types:
        types = types.replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        members["[Content_Types].xml"] = types.encode()
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    if "sharedStrings" not in rels:
        rels = rels.replace(
            "</Relationships>",
            '<Relationship Id="rIdSS" Target="sharedStrings.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
            "</Relationships>",
        )
        members["xl/_rels/workbook.xml.rels"] = rels.encode()
    return _zip(members)


SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10)
    )
    return _shared_strings_workbook(
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>{SST}<si><t>&lol9;</t></si></sst>'
    )


def external_entity_in_shared_strings() -> bytes:
    return _shared_strings_workbook(
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"{SST}<si><t>&xxe;</t></si></sst>"
    )


def external_entity_in_sheet() -> bytes:
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">'
        '<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    )
    return _with_member(_small_workbook(), "xl/worksheets/sheet1.xml", sheet.encode())


def broken_sheet_xml() -> bytes:
    return _with_member(_small_workbook(), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c>")


def truncated_workbook() -> bytes:
    data = _small_workbook()
    return data[: len(data) // 2]


def docx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"/>',
            "word/document.xml": b"<w:document/>",
        }
    )


def pptx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"})


def many_members(count: int = 5_001) -> bytes:
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    members.update({f"xl/part{n}.xml": b"" for n in range(count)})
    return _zip(members, compression=zipfile.ZIP_STORED)


def oversized(head: bytes, limit: int) -> bytes:
    """`head` padded to just over `limit` bytes."""
    return head + b"\0" * (limit + 1024 - len(head))


# --- zip bombs -------------------------------------------------------------------------------------------------------


def _zip_raw(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive from already deflated members: (name, deflated bytes, crc32, uncompressed size, method)."""
    out = io.BytesIO()
    central = []
    for name, payload, crc, size, method in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(payload), size,
                              len(encoded), 0))
        out.write(encoded)
        out.write(payload)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(payload),
                                   size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _bomb_members(sheet_payload, sheet_crc, sheet_size) -> bytes:
    """A well-formed xlsx (content types, workbook, relationships) whose sheet1.xml is the given member."""
    members = []
    for name, data in _members(_small_workbook()).items():
        if name == "xl/worksheets/sheet1.xml":
            members.append((name, sheet_payload, sheet_crc, sheet_size, zipfile.ZIP_DEFLATED))
        else:
            members.append((name, _deflated(data), zlib.crc32(data), len(data), zipfile.ZIP_DEFLATED))
    return _zip_raw(members)


def zip_bomb(gib: int = BOMB_GIB) -> bytes:
    """An honest zip bomb: about 2 MB that really unpacks to `gib` GiB of zeros in sheet1.xml.

    Made in a second or so: 1 MiB of zeros is deflated once with a full flush, which makes the stream restart, so the
    same compressed block repeated 1024·gib times is a valid deflate stream of the whole size.
    """
    mib = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    count = 1024 * gib
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(mib, crc)
    size = count << 20
    if size >= 1 << 32:
        raise ValueError("a zip bomb over 4 GiB would need zip64")
    return _bomb_members(block * count + tail, crc, size)


def zip_bomb_declared() -> bytes:
    """Small real data, but the archive declares a sheet of almost 4 GiB: refused by the declared sizes alone."""
    data = b"<worksheet/>"
    return _bomb_members(_deflated(data), zlib.crc32(data), 0xFFFF_FF00)


def zip_bomb_understated() -> bytes:
    """The sheet declares 1 KiB but its deflated stream holds 64 MiB of zeros: the reader must not unpack past the
    declared size (the CRC then does not match and the file is refused as broken)."""
    mib = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    payload = block * 64 + compressor.flush(zlib.Z_FINISH)
    return _bomb_members(payload, zlib.crc32(bytes(1024)), 1024)


# --- the corpora -----------------------------------------------------------------------------------------------------

_BOMB_CACHE: dict[str, bytes] = {}


def cached_zip_bomb() -> bytes:
    if "bomb" not in _BOMB_CACHE:
        _BOMB_CACHE["bomb"] = zip_bomb()
    return _BOMB_CACHE["bomb"]


WORKBOOK_CORPUS = [
    Bad("empty", "пустой.xlsx", lambda limit: b"", EMPTY),
    Bad("renamed-pdf", "отчёт.xlsx", lambda limit: PDF, NOT_A_WORKBOOK),
    Bad("renamed-png", "скриншот.xlsx", lambda limit: PNG, NOT_A_WORKBOOK),
    Bad("renamed-jpeg", "фото.xlsx", lambda limit: JPEG, NOT_A_WORKBOOK),
    Bad("renamed-exe", "setup.xlsx", lambda limit: EXE, NOT_A_WORKBOOK),
    Bad("renamed-zip", "архив.xlsx", lambda limit: _zip({"readme.txt": "просто архив".encode()}), NOT_A_WORKBOOK),
    Bad("renamed-docx", "документ.xlsx", lambda limit: docx(), NOT_A_WORKBOOK),
    Bad("renamed-html", "страница.xlsx", lambda limit: HTML, NOT_A_WORKBOOK),
    Bad("old-xls", "старый.xlsx", lambda limit: OLE2, OLD_XLS),
    Bad("old-xls-named-xls", "старый.xls", lambda limit: OLE2, OLD_XLS),
    Bad("csv-cp1251", "выгрузка.xlsx", lambda limit: CSV_CP1251.encode("cp1251"), NOT_A_WORKBOOK),
    Bad("csv-formulas", "формулы.xlsx", lambda limit: CSV_FORMULA.encode(), NOT_A_WORKBOOK),
    Bad("truncated", "обрезан.xlsx", lambda limit: truncated_workbook(), NOT_A_WORKBOOK),
    Bad("broken-sheet-xml", "сломан.xlsx", lambda limit: broken_sheet_xml(), NOT_A_WORKBOOK),
    Bad("too-many-parts", "части.xlsx", lambda limit: many_members(), TOO_MANY_PARTS),
    Bad("huge", "огромный.xlsx", lambda limit: oversized(_small_workbook(), limit), TOO_BIG),
    Bad("zip-bomb", "бомба.xlsx", lambda limit: cached_zip_bomb(), UNPACKS_TOO_BIG),
    Bad("zip-bomb-declared", "бомба2.xlsx", lambda limit: zip_bomb_declared(), UNPACKS_TOO_BIG),
    Bad("zip-bomb-understated", "бомба3.xlsx", lambda limit: zip_bomb_understated(), NOT_A_WORKBOOK),
    Bad("billion-laughs", "смех.xlsx", lambda limit: billion_laughs(), NOT_A_WORKBOOK),
    Bad("external-entity-shared-strings", "xxe.xlsx", lambda limit: external_entity_in_shared_strings(), NOT_A_WORKBOOK),
    Bad("external-entity-sheet", "xxe2.xlsx", lambda limit: external_entity_in_sheet(), NOT_A_WORKBOOK),
]

EVIDENCE_CORPUS = [
    Bad("empty", "скан.pdf", lambda limit: b"", EMPTY),
    Bad("renamed-exe", "приказ.pdf", lambda limit: EXE, EVIDENCE_NOT_ACCEPTED),
    Bad("renamed-html", "приказ.pdf", lambda limit: HTML, EVIDENCE_NOT_ACCEPTED),
    Bad("renamed-svg", "фото.png", lambda limit: SVG, EVIDENCE_NOT_ACCEPTED),
    Bad("csv-cp1251", "таблица.xlsx", lambda limit: CSV_CP1251.encode("cp1251"), EVIDENCE_NOT_ACCEPTED),
    Bad("plain-text", "скан.jpg", lambda limit: "это не картинка".encode(), EVIDENCE_NOT_ACCEPTED),
    Bad("old-doc", "приказ.docx", lambda limit: OLE2, EVIDENCE_OLD_OFFICE),
    Bad("renamed-zip", "приказ.docx", lambda limit: _zip({"readme.txt": b"zip"}), EVIDENCE_NOT_ACCEPTED),
    Bad("pptx", "презентация.docx", lambda limit: pptx(), EVIDENCE_NOT_ACCEPTED),
    Bad("broken-zip", "приказ.docx", lambda limit: b"PK\x03\x04" + b"\x00" * 200, EVIDENCE_NOT_ACCEPTED),
    Bad("too-many-parts", "книга.xlsx", lambda limit: many_members(), EVIDENCE_NOT_ACCEPTED),
    Bad("huge-pdf", "скан.pdf", lambda limit: oversized(PDF, limit), TOO_BIG),
]
