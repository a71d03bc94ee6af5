"""In a real browser: each printable document printed to PDF by Chromium, read back with pdftotext — A4 pages with
the running header and «стр. N из M» on each, the title on page 1, the roadmap on landscape pages, the signatures
on one page; and the agreement asks for a missing director before it prints."""

import re
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from partnerships.demo import seed_partnerships
from partnerships.models import Agreement
from programs.demo import seed_programmes
from programs.models import Programme
from schools.identification import run_execute, run_start
from tests.conftest import home_region_id
from tests.seeding import seed_or_replay

from .test_programmes import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_PORTRAIT, A4_LANDSCAPE = "A4 portrait", "A4 landscape"


def _orientation(width: float, height: float) -> str:
    """A4 is 595 × 842 points (Chromium rounds to a point or so either way)."""
    short, long = sorted([width, height])
    assert abs(short - 595) < 3 and abs(long - 842) < 3, (width, height)
    return A4_PORTRAIT if width < height else A4_LANDSCAPE


def pdf_pages(page: Page, tmp_path, name: str) -> tuple[list[str], list[str]]:
    """The printed PDF's text page by page and each page's size in points, as Chromium prints it."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(page.pdf(prefer_css_page_size=True))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True, check=True)
    sizes = [_orientation(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info.stdout)]
    return [" ".join(p.split()) for p in text.split("\f")[: len(sizes)]], sizes


def assert_paged(pages: list[str], *, title: str, running: str) -> None:
    assert title in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"стр. {number} из {len(pages)}" in text, (number, text[-200:])
        assert running in text, number  # the running header repeats on every page


def page_with(pages: list[str], *lines: str) -> int:
    """The one page holding every line of a block (fails when the block is split across pages)."""
    holding = [n for n, text in enumerate(pages, start=1) if all(line in text for line in lines)]
    assert holding, f"{lines} are not on one page"
    return holding[0]


@pytest.fixture
def documents(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_partnerships)
    seed_programmes()
    agreement = Agreement.objects.get(number="1-ШНОР")
    agreement.curator_school.director = "Сидоров Семён Семёнович"
    agreement.curator_school.save(update_fields=["director"])
    # the demo's schools have directors: this one's is blanked, so that the print asks for it
    agreement.supported_school.director = ""
    agreement.supported_school.save(update_fields=["director"])
    return {
        "agreement": agreement,
        "programme": Programme.objects.get(kind=Programme.Kind.MUNICIPAL),
        "run": run_execute(run_start(region_id=home_region_id(), year=2026, actor=demo["department"])),
    }


def test_printed_documents_have_pages_headers_numbers_and_whole_signatures(page: Page, live_server, documents, tmp_path):
    log_in(page, live_server, "department")
    agreement, programme = documents["agreement"], documents["programme"]
    territory = agreement.supported_school.municipality.region.name

    # The supported school's director is not in the registry (blanked above): the agreement asks for it.
    page.goto(live_server.url + reverse("partnerships:agreement_print", args=[agreement.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Кто подписывает договор")
    page.get_by_label(re.compile("Директор — школа")).fill("Иванов Иван Иванович")
    page.get_by_role("button", name="Перейти к печати").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ДОГОВОР О СОТРУДНИЧЕСТВЕ № 1-ШНОР")
    pages, sizes = pdf_pages(page, tmp_path, "agreement")
    assert set(sizes) == {A4_PORTRAIT}
    assert_paged(pages, title="ДОГОВОР О СОТРУДНИЧЕСТВЕ № 1-ШНОР", running=f"{agreement.title} · ")
    assert territory in pages[0]
    text = " ".join(pages)
    assert "в лице директора Иванова И. И., действующего" in text and "директора ," not in text
    page_with(pages, "7. Адреса, реквизиты и подписи сторон", "/ С. С. Сидоров", "/ И. И. Иванов")

    # The programme: its passport on portrait pages, the roadmap's wide table on landscape ones.
    page.goto(live_server.url + reverse("programs:print", args=[programme.pk]))
    pages, sizes = pdf_pages(page, tmp_path, "programme")
    assert_paged(pages, title="Паспорт программы", running=programme.title[:40])
    roadmap = next(n for n, text in enumerate(pages, start=1) if "«Дорожная карта» реализации программы" in text)
    assert sizes[0] == A4_PORTRAIT and set(sizes[roadmap - 1:]) == {A4_LANDSCAPE}, sizes
    page_with(pages, "Куратор программы", "Ответственный исполнитель", "_______________ /", "«___» ______________")

    # The approved list: the annex to an order, on landscape pages.
    page.goto(live_server.url + reverse("schools:selection_print", args=[documents["run"].pk]))
    pages, sizes = pdf_pages(page, tmp_path, "list")
    assert set(sizes) == {A4_LANDSCAPE}
    assert_paged(pages, title="Перечень школ с низкими образовательными результатами", running=f"Перечень ШНОР/ШНСУ на 2025/26 учебный год · {territory}")
