"""A department's results file writes only in its territory (issue 20): the rows of another region's schools find no
match, a decision naming another region's school is refused, and no municipality is created in another region."""

import pytest

from portal.demo_territories import MUNICIPALITIES as PERM_MUNICIPALITIES
from schools.access import import_territory
from schools.demo import MUNICIPALITY_A, REGION, SCHOOL_TEAM_SCHOOL
from schools.ege_workbook import parse_results_file
from schools.models import Municipality, School, SchoolResult
from schools.results_import import MAP, NameDecision, ResultsImportError, results_import_preview, results_import_save
from tests.schools.test_ege_workbook import long_rows, workbook_bytes

pytestmark = pytest.mark.django_db

PERM_MUNICIPALITY, _kind, [(PERM_SCHOOL, _full), *_rest] = PERM_MUNICIPALITIES[0]


def preview_as(user, *rows):
    parsed = parse_results_file(workbook_bytes({"Результаты": long_rows(*rows)}))
    return results_import_preview(parsed=parsed, territory=import_territory(user))


def test_the_second_regions_file_matches_only_its_own_schools(full_demo):
    own = [PERM_MUNICIPALITY, PERM_SCHOOL, 2025, "ege-russian-mean_score", 71]
    foreign = [MUNICIPALITY_A, SCHOOL_TEAM_SCHOOL, 2025, "ege-russian-mean_score", 12]
    preview = preview_as(full_demo["department_b"], own, foreign)
    assert [school.short_name for _row, school in preview.matched] == [PERM_SCHOOL]
    assert [name.school_name for name in preview.unmatched] == [SCHOOL_TEAM_SCHOOL]
    assert [m.name for m in preview.unmatched_municipalities] == [MUNICIPALITY_A]

    # mapping the foreign row to region A's school by its id is «not found», and nothing is stored
    school_a = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    (name,) = preview.unmatched
    before = SchoolResult.objects.count()
    with pytest.raises(ResultsImportError, match="не найдена в реестре"):
        results_import_save(preview=preview, mapping={name.key: NameDecision(MAP, school_id=school_a.pk)})
    assert SchoolResult.objects.count() == before


def test_a_file_of_another_region_creates_no_municipality_there(full_demo):
    parsed = parse_results_file(
        workbook_bytes({"Результаты": long_rows(["Новый район", "СОШ № 1", 2025, "ege-russian-mean_score", 60])})
    )
    parsed.region_name = REGION[0]  # the file says it is region A's
    preview = results_import_preview(parsed=parsed, territory=import_territory(full_demo["department_b"]))
    with pytest.raises(ResultsImportError, match="заводит управление образования этого региона"):
        results_import_save(preview=preview, create_missing=True)
    assert not Municipality.objects.filter(name__icontains="Новый").exists()


def test_the_region_department_matches_its_regions_schools_as_before(full_demo):
    preview = preview_as(full_demo["department"], [MUNICIPALITY_A, SCHOOL_TEAM_SCHOOL, 2025, "ege-russian-mean_score", 70])
    assert [school.short_name for _row, school in preview.matched] == [SCHOOL_TEAM_SCHOOL]
