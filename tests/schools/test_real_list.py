"""The list computed from the two real regional ЕГЭ returns (../shared/data/real): one a department could sign.

Both workbooks hold 2022 and 2023 results; the run of 2024 looks at the window 2022–2024. What was seen when the
portal was tried on them, each now a check: no school without results in the window is «не входит»; no ШНОР from
one year; no imported school without a comparison group; the two regions are never ranked together — each region is
identified by a run of its own (issue 20); equal values fall on the same side of every line.
"""

from collections import Counter, defaultdict

import pytest

from schools.ege_workbook import parse_ege_workbook
from schools.identification import run_execute, run_reproduce, run_start, unpack_inputs
from schools.models import Region, School, Status
from schools.results_import import results_import_preview, results_import_save
from schools.verdicts import NO_CLUSTER, Parameters

from .test_ege_workbook import JEWISH_AO, ZABAYKALSKY, real_workbook

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def real_runs():
    """A run of each region for the same year, one after the other."""
    for name in (JEWISH_AO, ZABAYKALSKY):
        preview = results_import_preview(parsed=parse_ege_workbook(real_workbook(name)))
        results_import_save(preview=preview, create_missing=True, file_name=name)
    runs = []
    for region in Region.objects.order_by("name"):
        run = run_start(region_id=region.pk, year=YEAR, actor=None, parameters=Parameters(year=YEAR))
        run_execute(run)
        run.refresh_from_db()
        runs.append(run)
    return runs


def test_the_real_returns_give_a_list_a_department_could_sign(real_runs):
    """One import of both returns (15 s) serves every check."""
    assert len(real_runs) == 2, "each return is its own region"
    judged = [set(run.verdicts.values_list("school_id", flat=True)) for run in real_runs]
    assert not judged[0] & judged[1] and len(judged[0] | judged[1]) == School.objects.count()
    for run in real_runs:
        verdicts_can_be_signed(run)
        ranks_stay_inside_a_region_and_ties_fall_together(run)
    verdicts = [v for run in real_runs for v in run.verdicts.all()]
    assert any(v.status in (Status.SHNOR, Status.BOTH) for v in verdicts), "the real data have low schools"
    assert any(v.on_watch for v in verdicts), "a school low in its only year is watched"
    assert sum(1 for v in verdicts if v.cluster_name != NO_CLUSTER) > len(verdicts) / 2


def verdicts_can_be_signed(run):
    verdicts = list(run.verdicts.select_related("school__municipality"))
    regions = {v.school.municipality.region_id for v in verdicts}
    assert regions == {run.region_id}, "a run judges its own region's schools only"
    years_with_results = {
        v.school_id: [y for y, indices in v.explanation["years"].items() if indices["oip"] is not None]
        for v in verdicts
    }

    # No school without results in the window is «не входит»; «недостаточно данных» says what is missing.
    for verdict in verdicts:
        if not years_with_results[verdict.school_id]:
            assert verdict.status == Status.NO_DATA, verdict.school
            assert "результатов нет ни за один год" in verdict.explanation_text(run)
    assert run.no_data_count == sum(1 for v in verdicts if v.status == Status.NO_DATA) > 0

    # No ШНОР from a single year of results: «стабильно низкие» (seed 002).
    for verdict in verdicts:
        if verdict.status in (Status.SHNOR, Status.BOTH):
            assert len(years_with_results[verdict.school_id]) >= 2, verdict.school

    # Every imported school of the region has a comparison group: its cluster, or — said in words — its region.
    assert School.objects.filter(municipality__region_id=run.region_id).count() == len(verdicts)
    for verdict in verdicts:
        if verdict.cluster_name == NO_CLUSTER:
            assert verdict.explanation["no_cluster"] is True
            assert "сравнивается со всеми школами своего региона" in verdict.explanation_text(run)
        else:
            assert verdict.school.cluster is not None and verdict.school.cluster.name == verdict.cluster_name

    # No social passport was loaded: ШНСУ is decided for nobody, and every explanation says why.
    assert run.summary["no_passport"] == len(verdicts)
    assert all(v.status not in (Status.SHNSU, Status.BOTH) for v in verdicts)
    assert all("ШНСУ не определялся" in v.explanation_text(run) for v in verdicts[:50])

    # The seed's threshold indicator is computed per year.
    shares = {row["year"]: row for row in run.summary["threshold_shares"]}
    assert set(shares) == {2022, 2023}
    assert all(0 < row["share"] < 100 for row in shares.values())


def ranks_stay_inside_a_region_and_ties_fall_together(run):
    region_of = dict(School.objects.values_list("pk", "municipality__region_id"))
    criteria = {snap["code"]: snap for snap in run.parameters["criteria"]}
    verdicts = list(run.verdicts.all())
    cluster_of = {v.school_id: v.cluster_name for v in verdicts}

    def group(code, school_id):
        in_cluster = criteria[code]["within"] == "cluster" and cluster_of[school_id] != NO_CLUSTER
        return cluster_of[school_id] if in_cluster else ""

    # How many schools of each group have a value: a region's, or a cluster's inside a region.
    inputs = unpack_inputs(run.inputs)
    members = Counter()
    for code, columns in inputs["values"].items():
        for school_id, year in zip(columns["school"].tolist(), columns["year"].tolist(), strict=True):
            region = region_of[school_id]
            members[code, year, region, ""] += 1
            if group(code, school_id):
                members[code, year, region, group(code, school_id)] += 1
    checked = 0
    for verdict in verdicts:
        for year, code, _value, place, of in verdict.explanation["criteria"]:
            key = (code, year, region_of[verdict.school_id], group(code, verdict.school_id))
            assert of == members[key], (verdict.school_id, key, of)  # the place is counted in that group only
            assert 1 <= place <= of
            checked += 1
    assert checked > 0

    # Equal values fall on the same side of every line: within a group and year, schools with the same value of a
    # criterion are all low on it or none is. The real returns are full of such ties (0 below the minimum…).
    low = {(verdict.school_id, code, year) for verdict in verdicts for year, code, *_rest in verdict.explanation["criteria"]}
    sides = defaultdict(set)
    for code, columns in inputs["values"].items():
        rows = zip(columns["school"].tolist(), columns["year"].tolist(), columns["value"].tolist(), strict=True)
        for school_id, year, value in rows:
            if school_id in cluster_of:
                key = (code, year, region_of[school_id], group(code, school_id), value)
                sides[key].add((school_id, code, year) in low)
    ties = [key for key, flags in sides.items() if len(flags) > 1]
    assert not ties, ties[:5]
    reproduced = run_reproduce(run)
    assert {pk: v["status"] for pk, v in reproduced.items()} == {v.school_id: v.status for v in verdicts}
