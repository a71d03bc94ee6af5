"""A checksum of the key rows, for determinism: the same seed on the same day must give the same sum."""

import hashlib

from monitoring.models import IndicatorValue
from partnerships.models import Agreement, DevelopmentPlan, SupportSession, Teacher
from programs.models import Programme, RoadmapMeasure
from schools.models import Municipality, School, SchoolResult, SchoolYearProfile, SchoolYearStatus


def scale_checksum() -> str:
    """SHA-256 of the key rows by natural keys (not ids): municipalities, schools, results, the approved lists,
    programmes with their measures, agreements and sessions, teachers and plans, indicator values."""
    digest = hashlib.sha256()

    def feed(label, queryset, *fields):
        digest.update(label.encode())
        for row in queryset.order_by(*fields).values_list(*fields).iterator(chunk_size=10000):
            digest.update(repr(row).encode())

    school = ("school__municipality__name", "school__short_name")
    feed("m", Municipality.objects, "region__name", "name", "kind")
    feed("s", School.objects, "municipality__name", "short_name", "kind", "locality", "is_small", "cluster__code")
    feed("r", SchoolResult.objects, *school, "year", "measure__code", "value")
    feed("p", SchoolYearProfile.objects, *school, "year", "pupils", "teachers", "share_low_income")
    feed("st", SchoolYearStatus.objects, *school, "year", "status", "preventive", "curator_candidate")
    feed("pr", Programme.objects, "municipality__name", "school__short_name", "kind", "state", "round")
    feed("rm", RoadmapMeasure.objects, "programme__municipality__name", "programme__school__short_name",
         "section__position", "position", "name", "deadline", "status", "planned_value")  # fmt: skip
    feed("a", Agreement.objects, "curator_school__short_name", "supported_school__municipality__name",
         "supported_school__short_name", "number", "starts_on")  # fmt: skip
    feed("ss", SupportSession.objects, "agreement__number", "held_on", "format", "status", "hours")
    feed("t", Teacher.objects, *school, "full_name", "subject__code", "category")
    feed("dp", DevelopmentPlan.objects, "teacher__school__short_name", "teacher__full_name", "year", "status")
    feed("iv", IndicatorValue.objects, "indicator__code", "municipality__name", "school__short_name", "year", "stage",
         "value", "status")  # fmt: skip
    return digest.hexdigest()
