"""Benchmark: an identification run over N schools × 3 years, against reading the same rows with one query.

    make bench-identification            # 40,000 schools on a throwaway PostgreSQL
    SCHOOLS=2000 make bench-identification

Prints one table; not a test (timings on a shared machine are noisy), so keep it out of pytest.
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shnor_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from schools.identification import collect_inputs, criteria_ensure_for_year, run_execute, run_start  # noqa: E402
from schools.measures import measures_by_code  # noqa: E402
from schools.models import Criterion, Municipality, Region, School, SchoolResult, SchoolYearProfile  # noqa: E402
from schools.verdicts import Parameters, compute_verdicts  # noqa: E402

YEARS = (2024, 2025, 2026)


def populate(n_schools: int) -> None:
    rng = random.Random(1)
    region = Region.objects.create(name="Бенчмарк")
    municipalities = Municipality.objects.bulk_create(
        Municipality(region=region, name=f"Муниципалитет {i}") for i in range(max(1, n_schools // 60))
    )
    schools = School.objects.bulk_create(
        (
            School(
                municipality=municipalities[i % len(municipalities)], short_name=f"Школа {i}", name=f"Школа № {i}",
                locality=rng.choice(["urban", "rural"]),
            )
            for i in range(n_schools)
        ),
        batch_size=5000,
    )
    criteria_ensure_for_year(region_id=region.pk, year=YEARS[-1])
    # The measures of the criteria in force: the ones created switched off (ВПР, the olympiad…) get no data, as in
    # the runs measured before they existed.
    active = Criterion.objects.filter(region=region, is_active=True)
    codes = [c.measure.code for c in active.select_related("measure") if c.measure_id] + [
        c.per_measure.code for c in active.select_related("per_measure") if c.per_measure_id
    ]
    measures = measures_by_code(set(codes))
    results, profiles = [], []
    for school in schools:
        quality = rng.random()
        for year in YEARS:
            participants = rng.randint(5, 80)
            for code, measure in measures.items():
                if code.endswith("participants"):
                    value = participants
                elif code.endswith("below_min"):
                    value = rng.randint(0, max(0, int(participants * (1 - quality) * 0.3)))
                else:
                    value = round(40 + 40 * quality + rng.uniform(-5, 5), 2)
                results.append(SchoolResult(school=school, year=year, measure=measure, value=value))
            profiles.append(
                SchoolYearProfile(
                    school=school, year=year, pupils=rng.randint(40, 1000), pupils_on_register=rng.randint(0, 10),
                    share_low_income=rng.uniform(5, 50), share_single_parent=rng.uniform(10, 50),
                    share_special_needs=rng.uniform(1, 20), share_parents_higher_education=rng.uniform(5, 70),
                )
            )
        if len(results) > 100_000:
            SchoolResult.objects.bulk_create(results, batch_size=10000)
            results = []
    SchoolResult.objects.bulk_create(results, batch_size=10000)
    SchoolYearProfile.objects.bulk_create(profiles, batch_size=10000)


def timed(label, function):
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    return label, seconds, result


def main():
    n_schools = int(os.environ.get("SCHOOLS", "40000"))
    call_command("migrate", verbosity=0)
    if not School.objects.exists():
        print(f"Заполнение: {n_schools} школ × {len(YEARS)} года …", flush=True)
        populate(n_schools)
    parameters = Parameters(year=YEARS[-1])
    region_id = Region.objects.get(name="Бенчмарк").pk  # one region: a run covers one territory (issue 20)
    criteria = list(
        Criterion.objects.filter(region_id=region_id, year=YEARS[-1]).select_related("measure", "per_measure")
    )

    def floor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT school_id, year, measure_id, value FROM schools_schoolresult")
            rows = cursor.fetchall()
        profile_rows = list(SchoolYearProfile.objects.values_list().order_by())
        return len(rows) + len(profile_rows)

    rows = [
        timed("пол: чтение тех же строк одним запросом", floor),
        timed("сбор входных данных", lambda: collect_inputs(region_id=region_id, parameters=parameters, criteria=criteria)),
    ]
    inputs = rows[-1][2]
    rows.append(timed("расчёт решений", lambda: compute_verdicts(inputs, parameters)))
    rows.append(timed("весь запуск (сбор, расчёт, сохранение)", lambda: run_execute(run_start(region_id=region_id, year=YEARS[-1], actor=None))))
    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: run_execute(run_start(region_id=region_id, year=YEARS[-1], actor=None)))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    floor_seconds = rows[0][1]
    print(f"\nИдентификация: {School.objects.count()} школ × {len(YEARS)} года, {connection.vendor}")
    print(f"{'что':45} {'секунд':>8} {'× пола':>8}")
    for label, seconds, _ in rows:
        print(f"{label:45} {seconds:8.2f} {seconds / floor_seconds:8.1f}")


if __name__ == "__main__":
    main()
