"""Writes of the surveys: launching and closing a campaign, class codes, recording an anonymous answer with its
guards, and passing the schools' indexes to identification."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from schools.models import Measure, ResultImport, School, SchoolResult
from schools.school_year import school_year_label
from schools.signals import rows_changed_in

from .models import AddressWindow, Answer, Campaign, ClassCode, Question, Response, SchoolLink
from .questionnaires import questionnaires_for_region

SATISFACTION_MEASURE = "other-satisfaction-value"
ALREADY = "С этого устройства ответ уже получен. Спасибо, что приняли участие!"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone


class SurveyRefusal(Exception):
    """Why an answer or a step is refused, in Russian, for the person who tried; `field` — the form field it is
    about, when the person can mend it there."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@transaction.atomic
def campaign_launch(*, actor, region, year: int, title: str, opens_on, closes_on, audiences, min_answers: int):
    """A campaign with a link for every school of the region; the region's questionnaires are made ready."""
    if Campaign.objects.filter(region=region, year=year).exists():
        raise SurveyRefusal(f"Опрос на {school_year_label(year)} учебный год в этом регионе уже запущен.")
    questionnaires_for_region(region.pk, audiences)
    campaign = Campaign.objects.create(
        region=region, year=year, title=title, opens_on=opens_on, closes_on=closes_on, audiences=list(audiences),
        min_answers=min_answers, created_by=actor,
    )
    school_ids = School.objects.filter(municipality__region=region).values_list("pk", flat=True)
    SchoolLink.objects.bulk_create((SchoolLink(campaign=campaign, school_id=pk) for pk in school_ids), batch_size=2000)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor) -> int:
    """Stop taking answers and pass the indexes to identification; the number of schools with an index."""
    Campaign.objects.filter(pk=campaign.pk, closed_at__isnull=True).update(closed_at=timezone.now())
    campaign.refresh_from_db()
    return results_publish(campaign=campaign, actor=actor)


def class_codes_issue(*, link: SchoolLink, count: int, label: str) -> list[ClassCode]:
    """`count` new one-time codes of eight letters and digits for a class or a meeting."""
    codes = []
    existing = set(link.class_codes.values_list("code", flat=True))
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if code not in existing:
            existing.add(code)
            codes.append(ClassCode(link=link, code=code, label=label))
    return ClassCode.objects.bulk_create(codes)


# --- an anonymous answer -----------------------------------------------------------------------------------------


def _address_hash(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def address_attempt(address: str, now: datetime.datetime | None = None) -> bool:
    """Count an attempt from this address in the current window; False once it is over the limit.

    Only a salted hash of the address is kept, and only for the window (`SURVEY_ADDRESS_WINDOW_MINUTES`): rows of
    earlier windows are deleted whenever a window is opened. A per-process memory would let each app host and each
    worker count apart, so the count is a row the database increments."""
    now = now or timezone.now()
    minutes = settings.SURVEY_ADDRESS_WINDOW_MINUTES
    start = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=now.minute % minutes)
    key = _address_hash(address)
    rows = AddressWindow.objects.filter(address_hash=key, window_start=start)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                AddressWindow.objects.create(address_hash=key, window_start=start, count=1)
        except IntegrityError:
            rows.update(count=F("count") + 1)
        else:
            AddressWindow.objects.filter(window_start__lt=start).delete()
    return rows.values_list("count", flat=True).first() <= settings.SURVEY_ANSWERS_PER_ADDRESS


def score_of(question: Question, value: int | None) -> float | None:
    """An answer's worth out of 100: a scale's 1…5 as 0, 25 … 100; yes 100, no 0."""
    if value is None or not question.is_scored:
        return None
    if question.kind == Question.Kind.YES_NO:
        return 100.0 if value else 0.0
    return (value - 1) * 25.0


@transaction.atomic
def answer_record(*, link: SchoolLink, audience: str, device: str, answers: dict, class_code: str = "") -> Response:
    """Store one person's answers (question → value or text) for the school, or refuse.

    One answer per device and audience (a unique row: a replayed form is refused, however fast); with class codes,
    the code is spent in the same transaction, so a refused answer leaves it unused."""
    code = None
    if link.needs_class_code:
        code = ClassCode.objects.select_for_update().filter(link=link, code=class_code.strip().upper()).first()
        if code is None:
            raise SurveyRefusal("Такого кода у этой школы нет: проверьте код, который вам выдали.", "class_code")
        if code.used_at is not None:
            raise SurveyRefusal("Этот код уже использован: каждый код принимает один ответ.", "class_code")
    try:
        with transaction.atomic():
            response = Response.objects.create(link=link, audience=audience, device=device, class_code=code)
    except IntegrityError:
        raise SurveyRefusal(ALREADY) from None
    if code is not None:
        ClassCode.objects.filter(pk=code.pk).update(used_at=timezone.now())
    rows = []
    for question, value in answers.items():
        if question.is_scored:
            rows.append(Answer(response=response, question=question, value=value, score=score_of(question, value)))
        elif value:
            rows.append(Answer(response=response, question=question, text=value))
    Answer.objects.bulk_create(rows)
    return response


# --- indexes into identification ------------------------------------------------------------------------------------


@transaction.atomic
def results_publish(*, campaign: Campaign, actor) -> int:
    """Write each school's index (with enough answers) as its satisfaction value of the campaign's year: the value
    the criterion «удовлетворённость обучающихся, родителей и педагогов» of identification reads. Earlier values of
    the year written from this campaign are replaced; schools below the threshold get none."""
    from schools.measures import measures_by_code

    from .results import school_indexes

    measure: Measure = measures_by_code({SATISFACTION_MEASURE})[SATISFACTION_MEASURE]
    indexes = {row.school_id: row.index for row in school_indexes(campaign) if row.index is not None}
    label = f"опрос удовлетворённости {school_year_label(campaign.year)} ({campaign.region})"
    SchoolResult.objects.filter(
        measure=measure, year=campaign.year, school__municipality__region=campaign.region
    ).delete()
    source = ResultImport.objects.create(
        file_name=label, imported_by=actor, years=str(campaign.year), value_count=len(indexes),
        school_count=len(indexes), summary=f"Индекс удовлетворённости школ с не менее чем {campaign.min_answers} ответами.",
    )
    SchoolResult.objects.bulk_create(
        SchoolResult(school_id=school_id, year=campaign.year, measure=measure, value=index, source=source)
        for school_id, index in indexes.items()
    )
    rows_changed_in(region_ids=[campaign.region_id])
    return len(indexes)
