"""Stale saves: a form remembers the version (the newest django-simple-history record) it was opened on, and a save
made after somebody else's is refused instead of overwriting it. The history pages themselves are the shell's
(`portal.history`).
"""

from django import forms
from django.db import models
from django.utils import timezone

# --- stale saves --------------------------------------------------------------------------------------------------


def last_change_id(obj) -> int | None:
    """The id of the object's newest history record: the version a form was opened on."""
    return obj.history.order_by("-history_id").values_list("history_id", flat=True).first()


def last_change_ids(model, pks) -> dict[int, int]:
    """pk → the id of the newest history record, for many objects of one model in one query."""
    return dict(
        model.history.filter(id__in=list(pks)).values("id").annotate(last=models.Max("history_id")).values_list("id", "last")
    )


def changed_by(record) -> tuple[str, str]:
    """Who made a history record and when (local time), as a stale-save refusal names them."""
    user = record.history_user
    who = (user.get_full_name() or user.username) if user else "другой пользователь"
    return who, timezone.localtime(record.history_date).strftime("%d.%m.%Y %H:%M")


def stale_message(obj, seen: int | None) -> str | None:
    """None if nobody saved the object since the user opened it on version `seen`; else who did, and when.

    Call it on the row locked for the save (select_for_update), so that two saves cannot both pass."""
    if seen is None:
        return None
    latest = obj.history.order_by("-history_id").select_related("history_user").first()
    if latest is None or latest.history_id == seen:
        return None
    who, when = changed_by(latest)
    return (
        f"Пока вы редактировали, запись изменил(а) {who} ({when}). Ваши изменения не сохранены, чтобы не затереть "
        "чужие: откройте запись, проверьте её нынешний вид и внесите правки ещё раз."
    )


class GuardedModelForm(forms.ModelForm):
    """An edit form remembers the version (the newest history record) it was opened on; the service refuses a
    save made after somebody else's instead of overwriting it (`stale_message`).

    A form for a new object carries no version — unless `guards_creation`: for an object found by its natural key
    (a school's profile of a year) the form opened on «nothing yet» carries 0, so a profile somebody else created
    meanwhile is not overwritten either."""

    guards_creation = False
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.guards_creation:
            del self.fields["seen"]
        elif not self.is_bound:
            self.fields["seen"].initial = self._current_version()

    def _current_version(self) -> int:
        # 0: nothing saved yet (or saved before histories were kept); any save from now on is a newer version.
        return (last_change_id(self.instance) if self.instance.pk else None) or 0

    def reopen_on_current_version(self) -> None:
        """After a refused save the user has been told: a deliberate second save applies to today's version."""
        self.data = self.data.copy()
        self.data[self.add_prefix("seen")] = self._current_version()
