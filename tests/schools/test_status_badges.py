"""The badges of a school's place on a year's list, as every page that shows a status writes them."""

import pytest

from schools.templatetags.schools_tags import status_badges


@pytest.mark.parametrize(
    "status,preventive,curator,approved,shown,hidden",
    [
        ("both", False, False, True, ["ШНОР и ШНСУ"], ["не входит"]),
        ("shnor", True, True, True, ["ШНОР<", "профилактика", "кандидат в кураторы"], ["не входит"]),
        ("shnsu", False, False, False, ["ШНСУ"], ["—"]),
        ("none", False, False, True, ["не входит"], ["ШНОР", "—"]),
        ("none", True, False, True, ["профилактика"], ["не входит"]),  # a flag says more than «не входит»
        ("", False, False, False, ['title="Перечень за этот год не утверждён">—'], ["не входит"]),
        ("", False, True, False, ["—", "кандидат в кураторы"], ["не входит"]),
    ],
)
def test_status_badges(status, preventive, curator, approved, shown, hidden):
    html = status_badges(status, preventive, curator, approved)
    assert all(text in html for text in shown) and not any(text in html for text in hidden)
