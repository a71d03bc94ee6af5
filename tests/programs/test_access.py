"""Who the programmes' access functions let see what (`programs.access`, and the home page's items).

What every URL of the app answers every role is a row of the project's one access table,
tests/access/test_matrix.py.
"""

import pytest

from programs.access import get_programme_or_404, visible_programmes
from programs.models import Programme
from programs.selectors import home_items

pytestmark = pytest.mark.django_db


def test_outsider_reaches_nothing_of_municipality_a(demo, programmes):
    outsider = demo["coordinator_b"]
    assert not visible_programmes(outsider).filter(municipality__name__startswith="Заречный").exists()
    for programme in programmes.values():
        with pytest.raises(Exception) as caught:
            get_programme_or_404(outsider, programme.pk)
        assert caught.typename == "Http404"
    items = home_items(user=outsider)
    assert items["reviews"] == [] and items["overdue"] == [] and items["own"] == []


def test_tutor_and_curator_without_assignment_see_no_programmes(demo, programmes):
    assert not visible_programmes(demo["tutor"]).exists()
    curator_sees = set(visible_programmes(demo["curator"]).values_list("pk", flat=True))
    assert curator_sees == {programmes["in_review"].pk}  # only the programme its school reviews


def test_school_team_sees_only_its_school(demo, programmes):
    sees = set(visible_programmes(demo["school"]).values_list("school__short_name", flat=True))
    assert sees == {"Покровская СОШ"}
    assert not visible_programmes(demo["school"]).filter(kind=Programme.Kind.MUNICIPAL).exists()
