import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from programs import services
from programs.files import EvidenceRefused
from programs.models import (
    Evidence,
    MeasureYear,
    Programme,
    ProgrammeSnapshot,
    Review,
    RoadmapMeasure,
    RoadmapSection,
    plan_value_parse,
    rag_of,
)
from programs.services import MeasureData, ProgrammeError, StaleEdit

pytestmark = pytest.mark.django_db
State = Programme.State


def data_of(measure: RoadmapMeasure, **changes) -> MeasureData:
    years = {
        row.year: {"planned_value": row.planned_value, "planned_text": row.planned_text, "actual_value": row.actual_value}
        for row in measure.years.all()
    }
    values = {
        "name": measure.name,
        "result_name": measure.result_name,
        "unit": measure.unit,
        "planned_value": measure.planned_value,
        "planned_text": measure.planned_text,
        "executors": measure.executors,
        "due": measure.due,
        "status": measure.status,
        "risk_factor": measure.risk_factor,
        "note": measure.note,
        "years": years,
    }
    values.update(changes)
    return MeasureData(**values)


# --- values and colours ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4", (Decimal("4.00"), "")),
        (4, (Decimal("4.00"), "")),
        (2.5, (Decimal("2.50"), "")),
        ("2,5", (Decimal("2.50"), "")),
        ("не менее 3", (Decimal("3.00"), "не менее 3")),
        ("не менее 1 раза в год", (Decimal("1.00"), "не менее 1 раза в год")),
        ("1/4", (None, "1/4")),
        ("По количеству педагогов", (None, "По количеству педагогов")),
        ("", (None, "")),
        (None, (None, "")),
    ],
)
def test_planned_values_are_read_as_the_seed_documents_write_them(raw, expected):
    assert plan_value_parse(raw) == expected


@pytest.mark.parametrize("raw", ["-1", -3, "не менее -2", "−5"])
def test_a_negative_plan_is_refused_in_russian(raw):
    with pytest.raises(ValidationError) as caught:
        plan_value_parse(raw)
    assert "не может быть отрицательным" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("active", "overdue", "rag"), [(10, 0, "green"), (10, 1, "amber"), (10, 2, "amber"), (8, 3, "red"), (0, 0, "green")]
)
def test_red_amber_green(active, overdue, rag):
    assert rag_of(active=active, overdue=overdue) == rag


# --- the review workflow -------------------------------------------------------------------------------------


def test_school_programme_goes_through_review_rounds(demo, programmes):
    school, coordinator = demo["school"], demo["coordinator"]
    programme = programmes["draft"]

    programme = services.programme_submit(programme=programme, actor=school)
    assert (programme.state, programme.round) == (State.SUBMITTED, 1)
    review = programme.reviews.get()
    assert (review.kind, review.status, review.round) == (Review.Kind.MUNICIPAL, Review.Status.PENDING, 1)
    assert review.checks.count() == 7
    snapshot = ProgrammeSnapshot.objects.get(programme=programme, round=1)
    assert len(snapshot.data["sections"]) == 4

    services.review_start(review=review, actor=coordinator)
    programme.refresh_from_db()
    assert programme.state == State.IN_REVIEW

    with pytest.raises(ValidationError) as caught:
        services.review_complete(review=review, actor=coordinator, verdict="returned", remarks="  ")
    assert "напишите замечания" in str(caught.value)
    programme.refresh_from_db()
    assert programme.state == State.IN_REVIEW

    criterion_id = review.checks.first().criterion_id
    services.review_complete(
        review=review, actor=coordinator, verdict="returned", remarks="Добавьте работу с родителями.",
        checks={criterion_id: (False, "нет мероприятий с родителями")},
    )
    programme.refresh_from_db()
    assert programme.state == State.RETURNED and programme.plan_is_editable
    assert review.checks.get(criterion_id=criterion_id).met is False

    section = programme.sections.get(position=3)
    services.measure_add(section=section, actor=school, data=MeasureData(name="Клуб для родителей «Учимся вместе»"))
    programme = services.programme_submit(programme=programme, actor=school)
    assert (programme.state, programme.round) == (State.RESUBMITTED, 2)
    second = programme.reviews.get(round=2)
    services.review_complete(review=second, actor=coordinator, verdict="accepted", remarks="")
    programme.refresh_from_db()
    assert programme.state == State.ACCEPTED and programme.accepted_at
    assert ProgrammeSnapshot.objects.filter(programme=programme).count() == 2
    states = list(programme.history.order_by("history_date", "history_id").values_list("state", flat=True))
    changes = [state for index, state in enumerate(states) if index == 0 or states[index - 1] != state]
    assert changes == ["draft", "submitted", "in_review", "returned", "resubmitted", "in_review", "accepted"]


def test_only_the_right_person_takes_each_step(demo, programmes):
    draft, submitted = programmes["draft"], programmes["submitted"]
    review = submitted.reviews.get(kind=Review.Kind.MUNICIPAL)
    with pytest.raises(PermissionDenied):
        services.programme_submit(programme=draft, actor=demo["coordinator"])  # not the school's team
    with pytest.raises(PermissionDenied):
        services.review_complete(review=review, actor=demo["school"], verdict="accepted", remarks="")
    with pytest.raises(PermissionDenied):
        services.review_complete(review=review, actor=demo["coordinator_b"], verdict="accepted", remarks="")
    with pytest.raises(PermissionDenied):
        services.programme_reopen(programme=programmes["accepted"], actor=demo["school"])
    with pytest.raises(PermissionDenied):
        services.review_open_regional(programme=submitted, actor=demo["coordinator"])
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_accepted_programme_is_locked_until_the_coordinator_reopens_it(demo, programmes):
    accepted = programmes["accepted"]
    actor = demo["department"]  # typed in Берёзовская's programme in the demo
    measure = accepted.measures.order_by("pk").first()
    section = accepted.sections.first()
    with pytest.raises(ProgrammeError):
        services.measure_add(section=section, actor=actor, data=MeasureData(name="Новое"))
    with pytest.raises(ProgrammeError):
        services.measure_update(
            measure=measure, actor=actor, data=data_of(measure, name="Другое имя"), expected_version=measure.version
        )
    with pytest.raises(ProgrammeError):
        services.programme_submit(programme=accepted, actor=actor)
    # Execution is still reported: status and actual values.
    year = accepted.period_start + 1
    years = data_of(measure).years
    years.setdefault(year, {"planned_value": None, "planned_text": ""})["actual_value"] = Decimal(5)
    services.measure_update(
        measure=measure, actor=actor, data=data_of(measure, status="done", years=years),
        expected_version=measure.version,
    )
    measure.refresh_from_db()
    assert measure.status == "done"
    assert MeasureYear.objects.get(measure=measure, year=year).actual_value == 5

    services.programme_reopen(programme=accepted, actor=demo["coordinator"])
    accepted.refresh_from_db()
    assert accepted.state == State.DRAFT and accepted.round == 2
    services.measure_add(section=section, actor=actor, data=MeasureData(name="Новое после открытия"))
    accepted = services.programme_submit(programme=accepted, actor=actor)
    assert (accepted.state, accepted.round) == (State.RESUBMITTED, 3)


def test_submit_needs_measures_and_a_goal(demo, programmes):
    school = demo["school"]
    programme = services.programme_create(
        actor=school, kind=Programme.Kind.TRANSITION, title="Пустая", period_start=2026, period_end=2027,
        school=programmes["draft"].school,
    )
    with pytest.raises(ProgrammeError, match="нет ни одного мероприятия"):
        services.programme_submit(programme=programme, actor=school)
    section = services.section_add(programme=programme, actor=school, title="Задача")
    services.measure_add(section=section, actor=school, data=MeasureData(name="Мероприятие"))
    with pytest.raises(ProgrammeError, match="не указана цель"):
        services.programme_submit(programme=programme, actor=school)


def test_mutual_review_advises_and_the_municipal_verdict_decides(demo, programmes):
    programme = programmes["in_review"]
    curator, coordinator = demo["curator"], demo["coordinator"]
    mutual = programme.reviews.get(kind=Review.Kind.MUTUAL)
    with pytest.raises(PermissionDenied):
        services.review_complete(review=mutual, actor=coordinator, verdict="accepted", remarks="")
    services.review_complete(review=mutual, actor=curator, verdict="returned", remarks="Мало мероприятий по ОГЭ.")
    programme.refresh_from_db()
    assert programme.state == State.IN_REVIEW  # advice, not a decision

    with pytest.raises(ProgrammeError, match="уже проводит"):
        other = services.review_assign_mutual(
            programme=programme, actor=coordinator, school=programme.municipality.schools.get(short_name="Никольская ООШ")
        )
        services.review_assign_mutual(programme=programme, actor=coordinator, school=other.reviewer_school)
    outsider_school = demo["coordinator_b"].role_assignments.get().municipality.schools.first()
    with pytest.raises(PermissionDenied):
        services.review_assign_mutual(programme=programme, actor=coordinator, school=outsider_school)

    services.review_complete(
        review=programme.reviews.get(kind=Review.Kind.MUNICIPAL), actor=coordinator, verdict="accepted", remarks=""
    )
    programme.refresh_from_db()
    assert programme.state == State.ACCEPTED
    assert not programme.reviews.filter(status__in=Review.OPEN_STATUSES).exists()  # the open mutual one is withdrawn


def test_municipal_programme_is_reviewed_by_the_region(demo, programmes):
    municipal = programmes["municipal"]
    municipal = services.programme_submit(programme=municipal, actor=demo["coordinator"])
    review = municipal.reviews.get()
    assert review.kind == Review.Kind.REGIONAL
    with pytest.raises(PermissionDenied):
        services.review_complete(review=review, actor=demo["coordinator"], verdict="accepted", remarks="")
    services.review_complete(review=review, actor=demo["department"], verdict="accepted", remarks="")
    municipal.refresh_from_db()
    assert municipal.state == State.ACCEPTED


# --- editing ---------------------------------------------------------------------------------------------------


def test_a_stale_save_is_refused_and_shows_the_current_value(demo, programmes):
    school = demo["school"]
    measure = programmes["draft"].measures.order_by("pk").first()
    opened_version = measure.version
    services.measure_update(
        measure=measure, actor=school, data=data_of(measure, name="Первое сохранение"), expected_version=opened_version
    )
    with pytest.raises(StaleEdit) as caught:
        services.measure_update(
            measure=measure, actor=school, data=data_of(measure, name="Второе, поверх"), expected_version=opened_version
        )
    assert caught.value.current.name == "Первое сохранение"
    assert "уже изменил(а) Наталья Ивановна Орлова" in str(caught.value)
    measure.refresh_from_db()
    assert measure.name == "Первое сохранение" and measure.version == opened_version + 1


def test_deadline_outside_the_period_and_negative_plan_are_refused(demo, programmes):
    school = demo["school"]
    section = programmes["draft"].sections.first()
    before = RoadmapMeasure.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.measure_add(
            section=section, actor=school, data=MeasureData(name="Поздно", due=datetime.date(2030, 1, 1))
        )
    assert "вне срока программы" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.measure_add(section=section, actor=school, data=MeasureData(name="Минус", planned_value=Decimal(-1)))
    assert "не может быть отрицательным" in str(caught.value)
    assert RoadmapMeasure.objects.count() == before


def test_positions_stay_in_order_after_moves_and_deletes(demo, programmes):
    coordinator = demo["coordinator"]
    municipal = programmes["municipal"]
    section = municipal.sections.get(position=1)
    first, second = section.measures.order_by("position")[:2]
    services.measure_move(measure=second, actor=coordinator, direction="up")
    assert list(section.measures.order_by("position").values_list("pk", flat=True)[:2]) == [second.pk, first.pk]
    services.measure_delete(measure=second, actor=coordinator, expected_version=second.version)
    assert list(section.measures.order_by("position").values_list("position", flat=True)) == [1, 2, 3]

    third_section = municipal.sections.get(position=3)
    services.section_move(section=third_section, actor=coordinator, direction="up")
    third_section.refresh_from_db()
    assert third_section.position == 2
    services.section_delete(section=third_section, actor=coordinator, expected_version=third_section.version)
    assert list(municipal.sections.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    assert not RoadmapMeasure.objects.filter(section_id=third_section.pk).exists()


def test_every_change_records_who_made_it(demo, programmes):
    coordinator = demo["coordinator"]
    measure = programmes["municipal"].measures.order_by("pk").first()
    services.measure_update(
        measure=measure, actor=coordinator, data=data_of(measure, status="done"), expected_version=measure.version
    )
    record = measure.history.first()
    assert record.history_user == coordinator and record.status == "done"
    assert measure.history.count() == 2


def test_period_cannot_drop_years_the_roadmap_uses(demo, programmes):
    coordinator = demo["coordinator"]
    municipal = programmes["municipal"]
    with pytest.raises(ValidationError) as caught:
        services.programme_update_passport(
            programme=municipal, actor=coordinator, data={"period_start": 2026, "period_end": 2027},
            expected_version=municipal.version,
        )
    assert "у мероприятий есть значения за 2025 г." in str(caught.value)
    services.programme_update_passport(
        programme=municipal, actor=coordinator, data={"period_end": 2028, "goal": "Новая цель"},
        expected_version=municipal.version,
    )
    municipal.refresh_from_db()
    assert (municipal.period_end, municipal.goal, municipal.version) == (2028, "Новая цель", 2)
    with pytest.raises(StaleEdit):
        services.programme_update_passport(
            programme=municipal, actor=coordinator, data={"goal": "Поверх"}, expected_version=1
        )


# --- evidence ------------------------------------------------------------------------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("prikaz.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("protokol.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("skan.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png"),
    ],
)
def test_accepted_evidence_types(demo, programmes, name, content, content_type):
    measure = programmes["municipal"].measures.first()
    evidence = services.evidence_add(
        measure=measure, actor=demo["coordinator"], title="", file=SimpleUploadedFile(name, content)
    )
    assert evidence.content_type == content_type and evidence.original_name == name
    assert not evidence.file.name.endswith(name)  # stored under a random name
    assert evidence.file.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00 this is a program", "по содержимому это не PDF"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 10, "старом формате"),
        ("archive.docx", b"PK\x03\x04" + b"0" * 30, "не документ Word"),
        ("empty.pdf", b"", "пуст"),
    ],
)
def test_refused_evidence_leaves_nothing_behind(demo, programmes, settings, name, content, message):
    measure = programmes["municipal"].measures.first()
    before = Evidence.objects.count()
    with pytest.raises(EvidenceRefused) as caught:
        services.evidence_add(measure=measure, actor=demo["coordinator"], title="", file=SimpleUploadedFile(name, content))
    assert message in str(caught.value)
    assert Evidence.objects.count() == before
    evidence_dir = settings.MEDIA_ROOT / "programs" / "evidence" / str(measure.programme_id)
    assert not evidence_dir.exists() or len(list(evidence_dir.iterdir())) == 1  # only the demo's own file


def test_too_large_evidence_is_refused_by_the_setting(demo, programmes, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    measure = programmes["municipal"].measures.first()
    with pytest.raises(EvidenceRefused, match="больше допустимых 1 КБ"):
        services.evidence_add(
            measure=measure, actor=demo["coordinator"], title="", file=SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2000)
        )


def test_sections_are_kept_per_programme(demo, programmes):
    assert RoadmapSection.objects.filter(programme=programmes["municipal"]).count() == 6


def test_a_100_mb_evidence_file_is_refused_by_the_default_limit(demo, programmes):
    measure = programmes["municipal"].measures.first()
    huge = SimpleUploadedFile("skan-100mb.pdf", b"%PDF-1.4")
    huge.size = 100 * 1024 * 1024  # what Django reports for a 100 MB upload, without allocating it here
    before = Evidence.objects.count()
    with pytest.raises(EvidenceRefused) as caught:
        services.evidence_add(measure=measure, actor=demo["coordinator"], title="Скан", file=huge)
    assert "занимает 100 МБ — больше допустимых 20 МБ" in str(caught.value)
    assert Evidence.objects.count() == before
