import pytest
from django.core.management import CommandError, call_command

from schools.demo import APPROVED_YEAR, SCHOOL_TEAM_SCHOOL
from schools.identification import (
    IdentificationError,
    criteria_ensure_for_year,
    run_execute,
    run_reproduce,
    run_start,
    runs_compare,
)
from schools.models import Criterion, IdentificationRun, Region, School, SchoolYearStatus, Status
from schools.selection import list_approve
from schools.verdicts import Parameters, compute_verdicts, low_criteria_rows, verdict_text
from tests.conftest import home_region_id

CRITERION = {
    "code": "mean", "name": "Средний балл", "kind": "results", "unit": "балл", "direction": "higher_better",
    "weight": 1.0, "rule": "threshold", "line": 50.0, "within": "all", "measure": "m", "per_measure": None,
    "profile_field": None,
}


def inputs_for(values_by_school_year, years=(2024, 2025, 2026), criteria=None, clusters=None):
    schools = sorted({school for school, _ in values_by_school_year})
    return {
        "years": list(years),
        "criteria": criteria or [CRITERION],
        "clusters": clusters or dict.fromkeys(schools, "кластер"),
        "values": {"mean": [[s, y, v] for (s, y), v in sorted(values_by_school_year.items())]},
    }


def test_low_in_two_of_three_years_puts_a_school_on_the_list():
    values = {(1, 2024): 40, (1, 2025): 70, (1, 2026): 45, (2, 2024): 40, (2, 2025): 70, (2, 2026): 60}
    verdicts = compute_verdicts(inputs_for(values), Parameters(year=2026))
    assert verdicts[1]["status"] == Status.SHNOR
    assert verdicts[2]["status"] == Status.NONE  # one bad year does not label a school
    explanation = verdicts[1]["explanation"]
    assert "ОИП ниже порога 21 в 2024 и 2026" in verdict_text(verdicts[1], Parameters(year=2026))
    low = low_criteria_rows(explanation, [CRITERION])
    assert [(c["year"], c["value"], c["line"]) for c in low] == [(2024, 40, 50.0), (2026, 45, 50.0)]
    assert low[0]["rule_text"] == "порог 50 балл" and low[0]["name"] == "Средний балл"
    assert low[0]["cluster"] == "все школы"


def test_one_year_of_low_results_is_not_enough_for_the_list_only_for_watch():
    verdicts = compute_verdicts(inputs_for({(1, 2026): 40, (2, 2026): 80}), Parameters(year=2026))
    assert verdicts[1]["status"] == Status.NO_DATA and verdicts[1]["on_watch"]
    assert verdicts[2]["status"] == Status.NO_DATA and not verdicts[2]["on_watch"]
    text = verdict_text(verdicts[1], Parameters(year=2026))
    assert "Окно 2024–2026; результаты есть за 2026." in text
    assert "результаты есть только за 2026, а для решения нужны результаты не меньше чем за 2 года" in text
    assert "На контроле" in text
    # The department may decide that one year is enough.
    one_year = compute_verdicts(
        inputs_for({(1, 2026): 40, (2, 2026): 80}), Parameters(year=2026, min_result_years=1, min_low_years=1)
    )
    assert one_year[1]["status"] == Status.SHNOR and one_year[2]["status"] == Status.NONE


def test_a_school_without_results_in_the_window_has_not_enough_data_not_a_clean_verdict():
    inputs = inputs_for({(1, 2024): 70, (1, 2025): 70, (1, 2026): 70})
    inputs["clusters"][2] = "кластер"  # school 2 has no results at all
    verdicts = compute_verdicts(inputs, Parameters(year=2026))
    assert verdicts[1]["status"] == Status.NONE
    assert verdicts[2]["status"] == Status.NO_DATA
    text = verdict_text(verdicts[2], Parameters(year=2026))
    assert "результатов нет ни за один год" in text and "Ни в одном году" not in text
    assert "Социальный паспорт не загружен ни за один год окна 2024–2026 — ШНСУ не определялся." in text


def test_a_run_made_before_the_setting_is_reproduced_by_the_years_there_were():
    stored = {k: v for k, v in Parameters(year=2026).__dict__.items() if k not in ("min_result_years", "index_scale")}
    legacy = Parameters.from_stored(stored)
    verdicts = compute_verdicts(inputs_for({(1, 2026): 40, (2, 2026): 80}), legacy)
    assert verdicts[1]["status"] == Status.SHNOR  # as it was decided then
    assert "решение по имеющимся годам" in verdict_text(verdicts[1], legacy)


def test_percentile_rule_compares_within_the_cluster():
    criterion = {**CRITERION, "rule": "percentile", "line": 30.0, "within": "cluster"}
    # Two clusters: the weakest of the strong cluster is still far above the weak cluster.
    values = {(1, 2026): 90, (2, 2026): 95, (3, 2026): 99, (4, 2026): 30, (5, 2026): 35, (6, 2026): 50}
    clusters = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B", 6: "B"}
    verdicts = compute_verdicts(
        inputs_for(values, criteria=[criterion], clusters=clusters),
        Parameters(year=2026, min_low_years=1, min_result_years=1),
    )
    assert verdicts[1]["status"] == Status.SHNOR
    low = low_criteria_rows(verdicts[1]["explanation"], [criterion], verdicts[1]["cluster"])
    assert low[0]["cluster"] == "A"  # the group the school was compared with
    assert verdicts[4]["status"] == Status.SHNOR
    assert verdicts[6]["status"] == Status.NONE and verdicts[6]["oip"] == pytest.approx(83.33, abs=0.01)


def test_zscore_rule_and_higher_is_worse_direction():
    criterion = {**CRITERION, "rule": "zscore", "line": 1.0, "direction": "higher_worse"}
    values = {(s, 2026): v for s, v in enumerate([5, 5, 6, 5, 4, 5, 30], start=1)}
    verdicts = compute_verdicts(
        inputs_for(values, criteria=[criterion]), Parameters(year=2026, min_low_years=1, min_result_years=1)
    )
    assert verdicts[7]["status"] == Status.SHNOR
    assert all(verdicts[s]["status"] == Status.NONE for s in range(1, 7))


def test_social_criteria_give_shnsu_and_both():
    social = {**CRITERION, "code": "income", "kind": "social", "direction": "higher_worse", "line": 30.0}
    inputs = inputs_for({(1, 2026): 40, (2, 2026): 80, (3, 2026): 80}, criteria=[CRITERION, social])
    inputs["values"]["income"] = [[1, 2026, 45], [2, 2026, 45], [3, 2026, 10]]
    verdicts = compute_verdicts(inputs, Parameters(year=2026, min_low_years=1, min_result_years=1))
    assert verdicts[1]["status"] == Status.BOTH
    assert verdicts[2]["status"] == Status.SHNSU
    assert verdicts[3]["status"] == Status.NONE


def test_falling_school_above_the_line_gets_the_preventive_flag_and_strong_school_is_a_curator_candidate():
    criterion = {**CRITERION, "rule": "percentile", "line": 10.0}
    values = {}
    for school in range(1, 11):
        for year in (2024, 2025, 2026):
            values[(school, year)] = school * 10
    # School 5 was in the middle and fell to just above the bottom.
    values[(5, 2024)], values[(5, 2025)], values[(5, 2026)] = 80, 60, 25
    verdicts = compute_verdicts(inputs_for(values, criteria=[criterion]), Parameters(year=2026))
    assert verdicts[5]["status"] == Status.NONE and verdicts[5]["preventive"]
    assert "Отрицательная динамика" in verdict_text(verdicts[5], Parameters(year=2026))
    assert verdicts[10]["curator_candidate"] and not verdicts[10]["preventive"]
    assert not verdicts[1]["curator_candidate"]


@pytest.mark.django_db
def test_default_criteria_are_created_then_copied_from_the_previous_year(db):
    region = Region.objects.create(name="Область")
    other = Region.objects.create(name="Другая область")
    first = criteria_ensure_for_year(region_id=region.pk, year=2030)
    assert {c.code for c in first} >= {"ege_russian_below_min", "ege_math_mean", "low_income"}
    Criterion.objects.filter(year=2030, code="ege_math_mean").update(weight=3)
    copied = criteria_ensure_for_year(region_id=region.pk, year=2031)
    assert next(c for c in copied if c.code == "ege_math_mean").weight == 3
    assert len(criteria_ensure_for_year(region_id=region.pk, year=2031)) == len(copied)  # not twice
    # another region's criteria are its own: the defaults, not the first region's changed weight
    theirs = criteria_ensure_for_year(region_id=other.pk, year=2031)
    assert next(c for c in theirs if c.code == "ege_math_mean").weight != 3


@pytest.mark.django_db
def test_demo_list_is_approved_and_puts_the_demo_school_on_it(demo):
    status = SchoolYearStatus.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, year=APPROVED_YEAR)
    assert status.status in (Status.SHNOR, Status.BOTH)
    verdict = status.run.verdicts.get(school=status.school)
    low = verdict.low_criteria()
    assert low, "the verdict names the low criteria"
    assert all(c["name"] and c["rule_text"] for c in low), low


@pytest.mark.django_db
def test_run_is_reproduced_exactly_after_the_criteria_change(demo):
    run = IdentificationRun.objects.get(year=APPROVED_YEAR)
    fields = ("status", "oip", "social_index", "preventive", "curator_candidate", "cluster", "explanation")
    stored = {
        v.school_id: (v.status, v.oip, v.social_index, v.preventive, v.curator_candidate, v.cluster_name, v.explanation)
        for v in run.verdicts.all()
    }
    Criterion.objects.filter(year=APPROVED_YEAR).update(line=99, rule="threshold")  # would change everything
    reproduced = run_reproduce(run)
    # Everything the run stored (by COPY on PostgreSQL) is what the computation gives, to the last digit.
    assert {pk: tuple(v[f] for f in fields) for pk, v in reproduced.items()} == stored
    assert any(v[-1]["criteria"] for v in stored.values())
    fresh = run_execute(run_start(region_id=home_region_id(), year=APPROVED_YEAR, actor=demo["department"]))
    assert {v.school_id: v.status for v in fresh.verdicts.all()} != {pk: v[0] for pk, v in stored.items()}


@pytest.mark.django_db
def test_approving_a_run_replaces_the_years_list_and_compare_names_who_entered_and_left(demo):
    old = IdentificationRun.objects.get(year=APPROVED_YEAR)
    # A line nobody reaches: every school with results becomes low.
    Criterion.objects.filter(year=APPROVED_YEAR, kind="results").update(
        rule="threshold", line=1000, direction="higher_better"
    )
    new = run_execute(run_start(region_id=home_region_id(), year=APPROVED_YEAR, actor=demo["department"]))
    difference = runs_compare(old=old, new=new, schools=School.objects.all())
    assert difference["entered"], "a much stricter line must bring schools onto the list"
    entered = difference["entered"][0]
    assert entered["before"] == "—" and entered["after"] in ("ШНОР", "ШНОР и ШНСУ")

    list_approve(run=new, actor=demo["department"])
    assert SchoolYearStatus.objects.filter(year=APPROVED_YEAR).count() == School.objects.count()
    assert set(SchoolYearStatus.objects.filter(year=APPROVED_YEAR).values_list("run_id", flat=True)) == {new.pk}
    assert SchoolYearStatus.objects.get(school_id=entered["school_id"], year=APPROVED_YEAR).status != Status.NONE


@pytest.mark.django_db
def test_unfinished_run_cannot_be_approved(demo):
    run = run_start(region_id=home_region_id(), year=2026, actor=demo["department"])
    with pytest.raises(IdentificationError):
        list_approve(run=run, actor=demo["department"])


@pytest.mark.django_db
def test_identify_command_prints_a_russian_summary(demo, capsys):
    call_command("identify", "--year", "2026", "--approve")
    out = capsys.readouterr().out
    assert "Идентификация на 2025/26 учебный год" in out and "Утверждён перечень" in out and "на 2025/26 учебный год." in out
    assert SchoolYearStatus.objects.filter(year=2026).count() == School.objects.count()


@pytest.mark.django_db
def test_identify_command_fails_without_criteria(db):
    Criterion.objects.all().delete()
    Region.objects.create(name="Область")
    criteria_ensure_for_year(region_id=home_region_id(), year=2026)
    Criterion.objects.filter(year=2026).update(is_active=False)
    with pytest.raises(CommandError, match="нет ни одного действующего критерия"):
        call_command("identify", "--year", "2026")


@pytest.mark.parametrize("rule,direction", [("percentile", "higher_better"), ("zscore", "lower_better"),
                                            ("threshold", "higher_better")])  # fmt: skip
def test_scores_are_the_mid_rank_share_with_ties_as_defined(rule, direction):
    """The one-pass scoring gives each value the share of its group below it plus half of its ties, and the z-score
    rule the population σ — checked against the definition written plainly, on data full of ties."""
    import random
    import statistics
    from bisect import bisect_left, bisect_right

    from schools.verdicts import _Judged, _score_criterion

    rng = random.Random(7)
    clusters = {pk: rng.choice(["город", "село"]) for pk in range(1, 400)}
    rows = [[pk, year, float(rng.choice([40, 45, 45, 50, 55, 55, 55, 60, 71.5]))]
            for pk in clusters for year in (2025, 2026)]  # fmt: skip
    snap = {"direction": direction, "within": "cluster", "rule": rule, "line": 1.0 if rule == "zscore" else 20.0}
    scored = _score_criterion(snap, rows, _Judged(clusters))
    got = {
        (school, year): (score, low)
        for school, year, score, low in zip(*(a.tolist() for a in (scored.school, scored.year, scored.score, scored.low)), strict=True)
    }
    assert len(got) == len(rows)
    high = direction == "higher_better"
    for year in (2025, 2026):
        for cluster in ("город", "село"):
            members = [(pk, v) for pk, y, v in rows if y == year and clusters[pk] == cluster]
            oriented = sorted(v if high else -v for _, v in members)
            n, mean, sd = len(oriented), statistics.fmean(oriented), statistics.pstdev(oriented)
            for pk, value in members:
                o = value if high else -value
                score = 100.0 * (bisect_left(oriented, o) + 0.5 * (bisect_right(oriented, o) - bisect_left(oriented, o))) / n
                low = {"percentile": score < 20.0, "zscore": (o - mean) / sd < -1.0,
                       "threshold": value < 20.0 if high else value > 20.0}[rule]  # fmt: skip
                assert got[(pk, year)] == ((0.0 if low else score), low)


def test_low_criteria_stored_whole_by_an_earlier_version_are_read_as_they_are():
    whole = {"year": 2024, "code": "mean", "name": "Старое название", "value": 40, "line": 45.0, "unit": "балл",
             "rule_text": "порог 45 балл", "cluster": "A", "low": True, "kind": "results"}  # fmt: skip
    unknown = {"year": 2025, "code": "gone", "value": 1.5, "cluster": "A", "kind": "results"}
    rows = low_criteria_rows({"criteria": [whole, unknown, "мусор", [2026, "mean", 12.5]]}, [CRITERION])
    assert rows[0] == whole
    assert rows[1]["name"] == "gone" and rows[1]["value"] == 1.5
    # As runs store them now: [year, code, value], the rest from the run's criterion.
    assert rows[2] == {**rows[2], "year": 2026, "name": "Средний балл", "value": 12.5, "cluster": "все школы", "line": 50.0}
    assert len(rows) == 3
    assert low_criteria_rows("текст старого формата", [CRITERION]) == []


@pytest.mark.django_db
def test_a_run_packed_by_an_earlier_version_is_reproduced_the_same(demo):
    """Runs keep their inputs as arrays now; those packed before, as JSON rows of [school, year, value], still
    give the same verdicts."""
    import json
    import zlib

    from schools.identification import unpack_inputs

    run = IdentificationRun.objects.get(year=APPROVED_YEAR)
    assert bytes(run.inputs).startswith(b"npz1")
    inputs = unpack_inputs(run.inputs)
    rows = {
        code: [list(row) for row in zip(*(columns[c].tolist() for c in ("school", "year", "value")), strict=True)]
        for code, columns in inputs["values"].items()
    }
    assert any(rows.values())
    expected = run_reproduce(run)
    run.inputs = zlib.compress(json.dumps({**inputs, "values": rows}, ensure_ascii=False).encode())
    assert run_reproduce(run) == expected
    assert {pk: v["status"] for pk, v in expected.items()} == dict(run.verdicts.values_list("school_id", "status"))


@pytest.mark.django_db
def test_the_explanation_in_words_is_written_from_the_stored_verdict_on_the_pages(demo, client):
    from django.urls import reverse
    from django.utils.html import escape

    run = IdentificationRun.objects.get(year=APPROVED_YEAR)
    verdict = run.verdicts.exclude(status=Status.NONE).order_by("pk").first()
    assert "text" not in verdict.explanation  # stored as indices; the words are written when shown
    text = verdict.explanation_text()
    reproduced = run_reproduce(run)[verdict.school_id]
    assert text == verdict_text(reproduced, Parameters(**run.parameters["parameters"]), run.parameters["criteria"])
    assert text.startswith(f"Кластер: {verdict.cluster_name}. Окно ") and "ниже порога" in text
    client.force_login(demo["department"])
    assert escape(text) in client.get(reverse("schools:detail", args=[verdict.school_id])).content.decode()
    run_page = client.get(reverse("schools:run_detail", args=[run.pk]), {"status": verdict.status})
    assert escape(text) in run_page.content.decode()
