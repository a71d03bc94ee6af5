import pytest

from schools.measures import measures_by_code
from schools.models import Municipality, Region, School, SchoolResult
from schools.objectivity import ObjectivitySettings, objectivity_signs, objectivity_signs_from

YEAR = 2026
DEFAULTS = ObjectivitySettings()


def rows(school_id, region_id=1, **values):
    """Rows of one school: keyword `vpr_math_mean_score=4.6` stands for the code `vpr-math-mean_score`."""
    return [(school_id, region_id, code.replace("_", "-", 2), value) for code, value in values.items()]


def signs(*row_lists, settings=DEFAULTS):
    return objectivity_signs_from([row for part in row_lists for row in part], year=YEAR, settings=settings)


def test_vpr_far_above_the_same_schools_oge_is_a_sign_and_a_normal_school_is_not():
    result = signs(
        rows(1, vpr_math_participants=40, vpr_math_mean_score=4.6, oge_math_participants=30, oge_math_mean_score=3.1),
        rows(2, vpr_math_participants=40, vpr_math_mean_score=3.8, oge_math_participants=30, oge_math_mean_score=3.5),
    )
    assert result == {
        1: ["ВПР по математике: средняя отметка 4,6 при средней отметке ОГЭ 3,1 — выше на 1,5 балла (граница 1,0)"]
    }


def test_a_value_exactly_on_its_line_is_a_sign():
    result = signs(
        rows(1, vpr_math_participants=40, vpr_math_mean_score=4.1, oge_math_participants=30, oge_math_mean_score=3.1)
    )
    assert "выше на 1,0 балла (граница 1,0)" in result[1][0]


def test_mean_marks_keep_their_second_decimal_so_the_sentence_adds_up():
    result = signs(
        rows(1, vpr_math_participants=40, vpr_math_mean_score=4.63, oge_math_participants=30, oge_math_mean_score=3.58)
    )
    assert result[1] == [
        "ВПР по математике: средняя отметка 4,63 при средней отметке ОГЭ 3,58 — выше на 1,05 балла (граница 1,0)"
    ]


def test_share_of_top_marks_far_above_the_rest_of_the_region_is_a_sign():
    result = signs(
        rows(1, vpr_russian_participants=50, vpr_russian_mark_5=31),
        rows(2, vpr_russian_participants=60, vpr_russian_mark_5=12),
        rows(3, vpr_russian_participants=40, vpr_russian_mark_5=6),
    )
    assert result == {
        1: [
            "Доля «5» по ВПР по русскому языку 62 % при 18 % по остальным школам региона "
            "(граница: в 2,5 раза выше и не меньше 30 %)"
        ]
    }


def test_a_high_ratio_below_the_absolute_minimum_share_is_no_sign():
    result = signs(
        rows(1, vpr_russian_participants=50, vpr_russian_mark_5=10),  # 20 %, four times the region's 5 %
        rows(2, vpr_russian_participants=100, vpr_russian_mark_5=5),
    )
    assert result == {}


def test_many_participants_exactly_at_a_mark_boundary_is_a_sign():
    result = signs(
        rows(1, vpr_math_participants=50, vpr_math_at_boundary=17),
        rows(2, vpr_math_participants=50, vpr_math_at_boundary=5),
    )
    assert result == {1: ["ВПР по математике: на границе отметки 34 % участников (граница 25 %)"]}


def test_vpr_far_from_the_term_marks_either_way_is_a_sign():
    result = signs(
        rows(1, vpr_math_participants=30, vpr_math_mean_score=4.5, vpr_math_term_mean=3.3),
        rows(2, vpr_math_participants=30, vpr_math_mean_score=2.9, vpr_math_term_mean=4.1),
        rows(3, vpr_math_participants=30, vpr_math_mean_score=4.0, vpr_math_term_mean=3.8),
    )
    assert result == {
        1: [
            "ВПР по математике расходится с четвертными отметками на 1,2 балла: средняя отметка 4,5, "
            "средняя четвертная (годовая) 3,3 (граница 0,8)"
        ],
        2: [
            "ВПР по математике расходится с четвертными отметками на 1,2 балла: средняя отметка 2,9, "
            "средняя четвертная (годовая) 4,1 (граница 0,8)"
        ],
    }


def test_a_school_first_in_its_region_by_vpr_and_last_by_ege_is_a_sign():
    schools = [(1, 4.8, 45.0)] + [(n, 3.0 + n / 10, 50.0 + n) for n in range(2, 7)]
    result = signs(
        *[
            rows(n, vpr_russian_participants=20, vpr_russian_mean_score=vpr, ege_russian_participants=15,
                 ege_russian_mean_score=ege)
            for n, vpr, ege in schools
        ]
    )
    assert result == {
        1: [
            "ВПР по русскому языку: средняя отметка 4,8 выше, чем у 100 % остальных школ региона, а средний балл "
            "ЕГЭ 45,0 — "
            "чем у 0 % (разница позиций 100, граница 50)"
        ]
    }


def test_vpr_mathematics_is_held_against_the_profile_level_of_ege():
    schools = [(1, 4.8, 40.0)] + [(n, 3.0 + n / 10, 50.0 + n) for n in range(2, 7)]
    profile = [
        [(n, 1, "ege-math_profile-participants", 15), (n, 1, "ege-math_profile-mean_score", ege)]
        for n, _vpr, ege in schools
    ]
    result = signs(
        *[rows(n, vpr_math_participants=20, vpr_math_mean_score=vpr) for n, vpr, _ege in schools], *profile
    )
    assert list(result) == [1] and "средний балл ЕГЭ 40,0" in result[1][0]


def test_positions_need_enough_schools_in_the_region():
    schools = [(1, 4.8, 45.0), (2, 3.2, 60.0), (3, 3.3, 70.0)]
    result = signs(
        *[
            rows(n, vpr_russian_participants=20, vpr_russian_mean_score=vpr, ege_russian_participants=15,
                 ege_russian_mean_score=ege)
            for n, vpr, ege in schools
        ]
    )
    assert result == {}


def test_no_sign_without_the_data_it_compares():
    result = signs(
        # a very high ВПР mean mark alone says nothing
        rows(1, vpr_math_participants=40, vpr_math_mean_score=4.9),
        # ОГЭ without ВПР, term marks without a ВПР mean mark, «5» without participants
        rows(2, oge_math_participants=40, oge_math_mean_score=2.5, vpr_math_term_mean=3.0),
        rows(3, vpr_russian_mark_5=30),
        # without the number of participants a school is not judged at all
        rows(4, vpr_math_mean_score=4.9, vpr_math_term_mean=3.0, oge_math_mean_score=3.0),
    )
    assert result == {}


def test_a_small_school_is_not_judged():
    showing_everything = dict(
        vpr_math_mean_score=4.9, oge_math_mean_score=3.0, vpr_math_term_mean=3.0, vpr_math_at_boundary=4,
        vpr_math_mark_5=8, oge_math_participants=9,
    )
    result = signs(
        rows(1, vpr_math_participants=9, **showing_everything),
        rows(2, vpr_math_participants=200, vpr_math_mark_5=20),
    )
    assert result == {}
    # the ОГЭ result it is compared with needs enough participants too
    result = signs(rows(1, vpr_math_participants=40, vpr_math_mean_score=4.9, oge_math_participants=5,
                        oge_math_mean_score=3.0))
    assert result == {}


def test_thresholds_are_settings():
    school = rows(1, vpr_math_participants=40, vpr_math_mean_score=4.6, oge_math_participants=30,
                  oge_math_mean_score=3.1)
    assert signs(school, settings=ObjectivitySettings(oge_mean_gap=2.0)) == {}
    assert signs(school, settings=ObjectivitySettings(min_participants=50)) == {}
    lenient = ObjectivitySettings(oge_mean_gap=0.75)
    assert "(граница 0,75)" in signs(school, settings=lenient)[1][0]


def test_settings_are_stored_and_read_back():
    settings = ObjectivitySettings(oge_mean_gap=1.2, min_participants=15)
    stored = settings.as_dict()
    assert stored["oge_mean_gap"] == 1.2 and stored["top_share_ratio"] == 2.5 and stored["min_participants"] == 15
    assert ObjectivitySettings.from_dict(stored) == settings
    # an older run without some fields, or with fields a later version dropped, still reads
    assert ObjectivitySettings.from_dict({"term_gap": "0.5", "gone": 1}) == ObjectivitySettings(term_gap=0.5)
    assert ObjectivitySettings.from_dict(None) == ObjectivitySettings()
    assert isinstance(ObjectivitySettings.from_dict({"min_participants": 12.0}).min_participants, int)


def test_several_signs_come_in_the_order_of_subjects_then_signs():
    result = signs(
        rows(1, vpr_math_participants=40, vpr_math_mean_score=4.6, oge_math_participants=30,
             oge_math_mean_score=3.1, vpr_math_at_boundary=20, vpr_russian_participants=40,
             vpr_russian_at_boundary=20),
    )
    assert [sentence.split(":")[0] for sentence in result[1]] == [
        "ВПР по русскому языку", "ВПР по математике", "ВПР по математике"
    ]
    assert "ОГЭ" in result[1][1] and "на границе" in result[1][2]


# ---------------------------------------------------------------------------------------------
# The reader


def make_region(name, levels, *, year=YEAR):
    """A region with one school per share of «5» in `levels` (50 ВПР participants in Russian each)."""
    municipality = Municipality.objects.create(region=Region.objects.create(name=name), name=f"{name}: район")
    codes = measures_by_code({"vpr-russian-participants", "vpr-russian-mark_5"})
    schools, results = [], []
    for number, share in enumerate(levels, start=1):
        school = School.objects.create(municipality=municipality, short_name=f"{name} №{number}", name="Школа")
        schools.append(school)
        results += [
            SchoolResult(school=school, year=year, measure=codes["vpr-russian-participants"], value=50),
            SchoolResult(school=school, year=year, measure=codes["vpr-russian-mark_5"], value=round(50 * share)),
        ]
    SchoolResult.objects.bulk_create(results)
    return schools


@pytest.mark.django_db
def test_the_share_of_top_marks_is_held_against_the_schools_own_region_only():
    low = make_region("Регион А", [0.66, 0.1, 0.1, 0.12])
    high = make_region("Регион Б", [0.66, 0.6, 0.55, 0.62])
    result = objectivity_signs(year=YEAR)
    assert list(result) == [low[0].pk]  # the same 66 % is ordinary in region Б
    assert "66 % при 11 % по остальным школам региона" in result[low[0].pk][0]
    assert high[0].pk not in result


@pytest.mark.django_db
def test_asking_for_some_schools_still_compares_them_with_their_whole_region():
    low = make_region("Регион А", [0.66, 0.1, 0.1, 0.12])
    make_region("Регион Б", [0.9, 0.1, 0.1])
    assert objectivity_signs(year=YEAR, school_ids=[low[0].pk]) == {
        low[0].pk: objectivity_signs(year=YEAR)[low[0].pk]
    }
    assert objectivity_signs(year=YEAR, school_ids=[low[1].pk]) == {}
    assert objectivity_signs(year=YEAR - 1) == {}


@pytest.mark.django_db
def test_the_reader_passes_the_settings_on():
    low = make_region("Регион А", [0.66, 0.1, 0.1, 0.12])
    assert objectivity_signs(year=YEAR, settings=ObjectivitySettings(top_share_min=70.0)) == {}
    assert list(objectivity_signs(year=YEAR, settings=ObjectivitySettings())) == [low[0].pk]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_the_reader_makes_three_queries_however_many_schools(count, django_assert_num_queries):
    """The measures, whether the year has ВПР, the results; with `school_ids`, also the regions of those schools."""
    schools = make_region("Регион А", [0.66] + [0.1] * (count - 1))
    with django_assert_num_queries(3):
        assert list(objectivity_signs(year=YEAR)) == [schools[0].pk]
    with django_assert_num_queries(4):
        assert list(objectivity_signs(year=YEAR, school_ids=[s.pk for s in schools])) == [schools[0].pk]


@pytest.mark.django_db
def test_a_regions_run_reads_its_own_regions_rows_only(django_assert_num_queries):
    """A run's signs (`region_id`): the region's school ids, then their results by id — the same signs as read over
    the country, without the other regions' schools."""
    low = make_region("Регион А", [0.66, 0.1, 0.1, 0.12])
    high = make_region("Регион Б", [0.9, 0.1, 0.1])
    region_a = low[0].municipality.region_id
    over_the_country = objectivity_signs(year=YEAR)
    with django_assert_num_queries(4):  # the measures, whether the year has ВПР, the region's schools, their results
        assert objectivity_signs(year=YEAR, region_id=region_a) == {low[0].pk: over_the_country[low[0].pk]}
    assert list(objectivity_signs(year=YEAR, region_id=high[0].municipality.region_id)) == [high[0].pk]
