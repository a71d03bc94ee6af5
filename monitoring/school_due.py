"""What one school has to do now, each item a count with the list behind it (its home page and its monitoring page)."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from partnerships.access import visible_sessions, visible_teachers
from partnerships.models import SupportSession
from programs.access import visible_programmes
from programs.models import RoadmapMeasure, overdue_q

from .access import visible_self_assessments, visible_values
from .calendar import CalendarBook
from .models import IndicatorValue, SelfAssessment

DUE_SOON_DAYS = 30


def school_due(*, user, school, year: int, today: datetime.date | None = None) -> list[dict]:
    """What the school has to do, each item a count with the list behind it: overdue and soon-due measures of its
    programmes, stages whose self-assessment is overdue or returned, values returned, support sessions to confirm,
    overdue ИПРП items of its teachers. Six queries."""
    from partnerships.models import OPEN_ITEM_STATUSES, DevelopmentPlanItem
    from programs.models import OPEN_STATUSES

    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    programmes = visible_programmes(user).filter(school=school)
    measures = RoadmapMeasure.objects.filter(programme__in=programmes).aggregate(
        overdue=Count("pk", filter=overdue_q(today)),
        soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=soon, status__in=OPEN_STATUSES)),
    )
    calendar = CalendarBook([year]).of_municipality(school.municipality, year)
    labels = {stage.code: stage.name for stage in calendar}
    current = {
        a.stage: a.status
        for a in visible_self_assessments(user)
        .filter(school=school, year=year, is_current=True)
        .only("stage", "status")
    }
    sa_overdue = [s for s in calendar if s.overdue(today) and s.code not in current]
    sa_returned = [stage for stage, status in current.items() if status == SelfAssessment.Status.RETURNED]
    values_returned = (
        visible_values(user).filter(school=school, year=year, status=IndicatorValue.Status.RETURNED).count()
    )
    sessions = (
        visible_sessions(user).filter(agreement__supported_school=school, status=SupportSession.Status.PENDING).count()
    )
    plan_items = DevelopmentPlanItem.objects.filter(
        plan__teacher__in=visible_teachers(user).filter(school=school),
        status__in=OPEN_ITEM_STATUSES,
        due_on__lt=today,
    ).count()
    monitoring_page = reverse("monitoring:school", args=[school.pk]) + f"?year={year}"
    programmes_url = reverse("programs:list") + "?" + urlencode({"q": school.short_name, "year": year})
    items = [
        ("Просроченные мероприятия программ", measures["overdue"], programmes_url, "danger"),
        (f"Мероприятия со сроком в ближайшие {DUE_SOON_DAYS} дней", measures["soon"], programmes_url, "warning"),
        (
            "Самооценка не загружена, срок этапа прошёл: " + ", ".join(f"«{s.name}»" for s in sa_overdue),
            len(sa_overdue),
            monitoring_page + "#stages",
            "danger",
        ),
        (
            "Самооценка возвращена на доработку: " + ", ".join(f"«{labels.get(s, s)}»" for s in sa_returned),
            len(sa_returned),
            monitoring_page + "#stages",
            "danger",
        ),
        ("Значения показателей возвращены на исправление", values_returned, monitoring_page + "#stages", "warning"),
        (
            "Сопровождающие мероприятия куратора ждут подтверждения",
            sessions,
            reverse("partnerships:sessions") + "?" + urlencode({"school": school.pk, "status": "pending"}),
            "warning",
        ),
        (
            "Просроченные пункты ИПРП педагогов",
            plan_items,
            reverse("partnerships:plans") + "?" + urlencode({"school": school.pk, "due": "overdue"}),
            "warning",
        ),
    ]
    return [
        {"label": label.rstrip(": "), "count": count, "url": url, "level": level}
        for label, count, url, level in items
        if count
    ]
