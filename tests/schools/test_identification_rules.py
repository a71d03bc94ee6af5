"""The rules that make the computed list one a department could sign: comparison inside a region, a school without
a cluster compared with its region and told so, equal values on the same side of every line with their place, the
absolute variant of the index, and the seed's threshold indicator."""

import pytest

from schools.identification import run_execute, run_start
from schools.models import (
    Criterion,
    IdentificationSettings,
    Municipality,
    Region,
    School,
    SchoolResult,
    Status,
)
from schools.verdicts import NO_CLUSTER, Parameters, compute_verdicts, low_criteria_rows, verdict_text
from tests.conftest import home_region_id

MEAN = {
    "code": "mean", "name": "Средний балл", "kind": "results", "unit": "балл", "direction": "higher_better",
    "weight": 1.0, "rule": "percentile", "line": 25.0, "within": "cluster", "measure": "m", "per_measure": None,
    "profile_field": None,
}  # fmt: skip
YEARS = (2024, 2025, 2026)
ENOUGH = Parameters(year=2026, min_low_years=2, min_result_years=2)


def inputs_for(values: dict, clusters: dict, regions: dict, criteria=None):
    """`values`: {(school, year): value}."""
    return {
        "years": list(YEARS),
        "criteria": criteria or [MEAN],
        "clusters": clusters,
        "regions": regions,
        "values": {"mean": [[s, y, v] for (s, y), v in sorted(values.items())]},
    }


def every_year(by_school: dict) -> dict:
    return {(school, year): value for school, value in by_school.items() for year in YEARS}


def test_two_regions_are_never_ranked_together():
    # Region 1 is strong, region 2 weak: the weakest of region 1 is still far above all of region 2.
    scores = {1: 80, 2: 85, 3: 90, 4: 95, 5: 30, 6: 35, 7: 40, 8: 45}
    clusters = dict.fromkeys(scores, "Городские школы")
    regions = {school: 1 if school <= 4 else 2 for school in scores}
    verdicts = compute_verdicts(inputs_for(every_year(scores), clusters, regions), ENOUGH)
    # The worst quarter of each region is low; pooled, all of region 2 would be and none of region 1.
    assert verdicts[1]["status"] == Status.SHNOR
    assert verdicts[5]["status"] == Status.SHNOR
    assert verdicts[6]["status"] == Status.NONE
    low = low_criteria_rows(verdicts[1]["explanation"], [MEAN], verdicts[1]["cluster"])
    assert low[0]["place_text"] == "4-е место из 4 школ кластера «Городские школы»"


def test_a_school_without_a_cluster_is_compared_with_its_region_and_told_so():
    scores = {1: 50, 2: 60, 3: 70, 4: 80, 5: 55}
    clusters = {1: "Сельские школы", 2: "Сельские школы", 3: "Городские школы", 4: "Городские школы", 5: NO_CLUSTER}
    regions = dict.fromkeys(scores, 1)
    criterion = {**MEAN, "line": 30.0}
    verdicts = compute_verdicts(inputs_for(every_year(scores), clusters, regions, [criterion]), ENOUGH)
    # School 5 (55) is second of five in the region: not among the worst quarter; its cluster-less peers do not
    # make a group of their own.
    assert verdicts[5]["status"] == Status.NONE
    assert verdicts[5]["explanation"]["no_cluster"] is True
    text = verdict_text(verdicts[5], ENOUGH, [criterion])
    assert text.startswith("Кластер не определён — школа сравнивается со всеми школами своего региона.")
    # School 1 (50) is the worst of its cluster of two.
    low = low_criteria_rows(verdicts[1]["explanation"], [criterion], verdicts[1]["cluster"])
    assert low[0]["place_text"] == "2-е место из 2 школ кластера «Сельские школы»"


@pytest.mark.parametrize("rule,line", [("percentile", 40.0), ("threshold", 50.0), ("zscore", 0.5)])
def test_equal_values_fall_on_the_same_side_of_every_line_and_share_a_place(rule, line):
    criterion = {**MEAN, "rule": rule, "line": line, "within": "all"}
    # Five schools tie at 50 around the line.
    scores = {1: 40, 2: 50, 3: 50, 4: 50, 5: 50, 6: 50, 7: 60, 8: 70, 9: 80, 10: 90}
    clusters = dict.fromkeys(scores, "Городские школы")
    verdicts = compute_verdicts(
        inputs_for(every_year(scores), clusters, dict.fromkeys(scores, 1), [criterion]), ENOUGH
    )
    tied = [verdicts[school] for school in (2, 3, 4, 5, 6)]
    assert len({(v["status"], v["oip"]) for v in tied}) == 1, [(v["status"], v["oip"]) for v in tied]
    places = set()
    for school in (2, 3, 4, 5, 6):
        low = low_criteria_rows(verdicts[school]["explanation"], [criterion], verdicts[school]["cluster"])
        places.update(row["place_text"] for row in low)
    assert len(places) <= 1
    if places:
        assert places == {"5-е место из 10 школ региона"}


def test_the_absolute_index_sees_a_region_that_improves_as_a_whole():
    criterion = {**MEAN, "rule": "threshold", "line": 0.0, "within": "all", "scale_worst": 40.0, "scale_best": 80.0}
    before = {1: 45, 2: 55, 3: 65, 4: 75}
    after = {school: value + 10 for school, value in before.items()}
    clusters, regions = dict.fromkeys(before, "к"), dict.fromkeys(before, 1)

    def oip(values, scale):
        parameters = Parameters(year=2026, index_scale=scale)
        return {s: v["oip"] for s, v in compute_verdicts(inputs_for(every_year(values), clusters, regions,
                                                                    [criterion]), parameters).items()}  # fmt: skip

    # The relative index is a rank: adding 10 points to everybody changes nothing.
    assert oip(before, "relative") == oip(after, "relative")
    absolute_before, absolute_after = oip(before, "absolute"), oip(after, "absolute")
    assert absolute_before[1] == 12.5 and absolute_after[1] == 37.5  # (45 − 40) / (80 − 40) and (55 − 40) / 40
    assert all(absolute_after[s] > absolute_before[s] for s in before)


def test_numbers_in_the_explanation_are_written_the_russian_way():
    criterion = {**MEAN, "rule": "threshold", "line": 50.5, "within": "all"}
    scores = {1: 40.25, 2: 70}
    verdicts = compute_verdicts(
        inputs_for(every_year(scores), dict.fromkeys(scores, "к"), dict.fromkeys(scores, 1), [criterion]),
        Parameters(year=2026, social_threshold=42.7),
    )
    low = low_criteria_rows(verdicts[1]["explanation"], [criterion], "к")
    assert low[0]["value_text"] == "40,25" and low[0]["rule_text"] == "порог 50,5 балл"
    text = verdict_text(verdicts[1], Parameters(year=2026, oip_threshold=21.5))
    assert "ОИП ниже порога 21,5 в 2024, 2025 и 2026" in text


@pytest.mark.django_db
def test_the_run_counts_not_enough_data_and_the_share_of_schools_at_or_above_the_line(django_user_model):
    region = Region.objects.create(name="Край")
    municipality = Municipality.objects.create(region=region, name="Район")
    schools = [
        School.objects.create(municipality=municipality, name=f"Школа {n}", short_name=f"Школа {n}") for n in range(6)
    ]
    run = run_start(region_id=home_region_id(), year=2026, actor=None, parameters=Parameters(year=2026))
    criterion = Criterion.objects.get(year=2026, code="ege_russian_mean")
    Criterion.objects.filter(year=2026).exclude(pk=criterion.pk).update(is_active=False)
    for number, school in enumerate(schools[:5]):  # the sixth school has no results
        for year in (2024, 2025, 2026):
            SchoolResult.objects.create(school=school, year=year, measure=criterion.measure, value=50 + 5 * number)
    run_execute(run)
    run.refresh_from_db()
    assert run.no_data_count == 1
    assert run.verdicts.get(school=schools[5]).status == Status.NO_DATA
    shares = {row["year"]: row for row in run.summary["threshold_shares"]}
    # Five schools ranked on one criterion: the worst (20 % worst → score 0) is below 21, the others above.
    assert shares[2026] == {"year": 2026, "at_or_above": 4, "judged": 5, "share": 80.0}
    assert run.summary["social_threshold_shares"] == []  # no passport, no social index
    assert run.summary["no_passport"] == 6
    assert run.summary["passport_by_municipality"] == [
        {"municipality_id": municipality.pk, "name": "Район", "schools": 6, "with_passport": 0}
    ]


@pytest.mark.django_db
def test_signs_of_non_objective_vpr_stand_beside_the_verdict_and_do_not_change_it():
    from schools.identification import run_reproduce
    from schools.measures import measures_by_code

    municipality = Municipality.objects.create(region=Region.objects.create(name="Край"), name="Район")
    schools = [
        School.objects.create(municipality=municipality, name=f"Школа {n}", short_name=f"Школа {n}") for n in range(4)
    ]
    run = run_start(region_id=home_region_id(), year=2026, actor=None, parameters=Parameters(year=2026))
    criterion = Criterion.objects.get(year=2026, code="ege_russian_mean")
    Criterion.objects.filter(year=2026).exclude(pk=criterion.pk).update(is_active=False)
    measures = measures_by_code(
        {"vpr-math-mean_score", "vpr-math-participants", "oge-math-mean_score", "oge-math-participants"}
    )
    for number, school in enumerate(schools):
        for year in (2024, 2025, 2026):
            SchoolResult.objects.create(school=school, year=year, measure=criterion.measure, value=50 + 5 * number)
        # ВПР marks of school 0 are far above its own ОГЭ; the others agree.
        vpr = 4.6 if number == 0 else 3.4
        for code, value in (("vpr-math-mean_score", vpr), ("vpr-math-participants", 25),
                            ("oge-math-mean_score", 3.1), ("oge-math-participants", 20)):  # fmt: skip
            SchoolResult.objects.create(school=school, year=2026, measure=measures[code], value=value)
    run_execute(run)
    run.refresh_from_db()
    flagged = run.verdicts.get(school=schools[0])
    assert flagged.objectivity_flag and run.objectivity_count == 1
    # The worst ЕГЭ of the four decides its place on the list; the signs neither add to it nor take away.
    assert flagged.status == Status.SHNOR
    assert run.verdicts.get(school=schools[1]).status == Status.NONE and not run.verdicts.get(school=schools[1]).objectivity_flag
    text = flagged.explanation_text()
    assert "Признаки необъективности ВПР: ВПР по математике" in text
    assert "4,6" in text and "3,1" in text
    # Imported later, the results do not change what the run said.
    SchoolResult.objects.filter(measure=measures["vpr-math-mean_score"]).update(value=3.0)
    assert run_reproduce(run)[schools[0].pk]["explanation"]["objectivity"] == flagged.explanation["objectivity"]

    # A territory that draws the line at two marks above ОГЭ (the year's settings) sees no sign in a gap of 1,5.
    SchoolResult.objects.filter(measure=measures["vpr-math-mean_score"], school=schools[0]).update(value=4.6)
    IdentificationSettings.objects.create(region_id=home_region_id(), year=2026, vpr_oge_gap=2.0)
    strict = run_execute(run_start(region_id=home_region_id(), year=2026, actor=None))
    strict.refresh_from_db()
    assert strict.parameters["parameters"]["objectivity"]["oge_mean_gap"] == 2.0
    assert strict.objectivity_count == 0 and not strict.verdicts.get(school=schools[0]).objectivity_flag


@pytest.mark.django_db
def test_the_table_shows_the_index_of_the_year_the_text_speaks_of(client, demo):
    """The run of 2027 has no results of 2027 yet: the table gives the last ОИП with its year, as the text does."""
    from django.urls import reverse

    from schools.models import IdentificationRun

    run = run_start(region_id=home_region_id(), year=2027, actor=None, parameters=Parameters(year=2027))
    run_execute(run)
    run = IdentificationRun.objects.get(pk=run.pk)
    verdict = run.verdicts.exclude(status=Status.NO_DATA).select_related("school").order_by("school__short_name")[0]
    year, oip = verdict.latest_oip
    assert year == 2026 and verdict.oip is None  # the demo's results end in 2026
    client.force_login(demo["department"])
    page = client.get(reverse("schools:run_detail", args=[run.pk]), {"q": verdict.school.short_name}).content.decode()
    assert f"{oip:g}".replace(".", ",") in page and "за 2026" in page
    assert "результаты есть за 2025 и 2026" in verdict.explanation_text(run)


def test_the_explanation_counts_the_criteria_a_school_has_results_on():
    math = {**MEAN, "code": "math", "rule": "threshold", "line": 50.0, "within": "all"}
    russian = {**math, "code": "russian"}
    inputs = inputs_for({}, {1: "к", 2: "к"}, {1: 1, 2: 1}, [math, russian])
    inputs["values"] = {
        "math": [[s, y, 60.0] for s in (1, 2) for y in YEARS],
        "russian": [[2, y, 60.0] for y in YEARS],  # school 1 did not take it
    }
    verdicts = compute_verdicts(inputs, ENOUGH)
    assert "Результаты есть по 1 из 2 критериев (2024, 2025 и 2026)." in verdict_text(verdicts[1], ENOUGH, [math, russian])
    assert "критериев" not in verdict_text(verdicts[2], ENOUGH, [math, russian])


@pytest.mark.django_db
def test_the_run_page_shows_both_threshold_indicators_of_seed_002(client, demo):
    from django.urls import reverse

    from schools.models import IdentificationRun

    run = IdentificationRun.objects.get(year=2025)  # the demo's approved list: results and passports for 2023–2025
    social = {row["year"]: row for row in run.summary["social_threshold_shares"]}
    assert set(social) == {2023, 2024, 2025} and all(row["judged"] == 34 for row in social.values())
    client.force_login(demo["department"])
    page = client.get(reverse("schools:run_detail", args=[run.pk])).content.decode()
    assert "Школ не ниже порога ОИП" in page and "Школ не ниже порога индекса социального благополучия" in page
    row = social[2025]
    assert f"{round(100 * row['at_or_above'] / row['judged'], 1):g}".replace(".", ",") + " %" in page
