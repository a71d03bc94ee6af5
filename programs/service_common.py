"""What the services of programmes and of reviews share: their errors, the history stamp, the row lock and the
owner's check (`programs.services`, `programs.review_flow`)."""

from django.utils import timezone

from .access import can_edit_plan, can_edit_programme, require
from .models import Programme

NOT_OWNER = "Изменять эту программу может только её владелец: координатор муниципалитета для муниципальной программы, управленческая команда школы — для школьной."
PLAN_NOT_YOURS = "План регионального плана-графика составляет и утверждает министерство; институт отмечает выполнение."
PLAN_LOCKED = (
    "План программы сейчас изменить нельзя: она на экспертизе или уже принята. Отмечать выполнение мероприятий, "
    "фактические значения и документы можно и сейчас; принятую программу для изменения плана открывает координатор."
)


class ProgrammeError(Exception):
    """A step the state of the programme does not allow; the message is Russian and shown to the user."""


class StaleEdit(ProgrammeError):
    """Somebody saved the row after the user opened it; `current` is the row as it is now."""

    def __init__(self, message: str, *, current):
        super().__init__(message)
        self.current = current


def _stamp(obj, actor, reason: str | None = None):
    """Name the actor (and the reason) in the history record the next save writes."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    return obj


def _require_plan_editor(actor, programme: Programme) -> None:
    require(can_edit_programme(actor, programme), NOT_OWNER)
    if not programme.plan_is_editable:
        raise ProgrammeError(PLAN_LOCKED)
    # the region's institute reports the regional plan-schedule's execution; its plan is the department's
    require(can_edit_plan(actor, programme), PLAN_NOT_YOURS)


def _locked_programme(programme: Programme) -> Programme:
    return (
        Programme.objects.select_for_update(of=("self",))
        .select_related("municipality", "school", "region")
        .get(pk=programme.pk)
    )


def _who_changed(obj) -> str:
    record = obj.history.select_related("history_user").first()
    user = record.history_user if record else None
    when = timezone.localtime(record.history_date).strftime("%d.%m.%Y %H:%M") if record else ""
    who = (user.get_full_name() or user.username) if user else "другой пользователь"
    return f"{who}{', ' + when if when else ''}"
