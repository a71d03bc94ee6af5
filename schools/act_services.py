"""Writes of the register of acts (`schools.models.acts`): register, change, delete, link and unlink an act.

Each step checks the actor (`schools.access`), checks the input into Russian messages by form field, and writes
all-or-nothing: the file is stored only once every check has passed, and removed again if the row cannot be saved;
a replaced or deleted act's old file is removed only after the commit.
"""

import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from shnor_portal.spreadsheets import size_label

from .access import can_create_acts, can_edit_act, can_link_act, require, working_region
from .act_targets import ActTarget
from .models import Act, ActLink, IdentificationRun

# An act is registered once it is issued; a date this far ahead is a typing error (a wrong year), not a plan.
MAX_DAYS_AHEAD = 31
EARLIEST_DATE = datetime.date(1991, 1, 1)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
FIELDS = ("kind", "number", "date", "title", "issuer", "municipality", "note")
NOT_EDITOR = "Этот акт может изменять управление образования или координатор его муниципалитета."
LIST_ACT_TITLE = "Об утверждении перечня школ с низкими образовательными результатами и школ, функционирующих в " \
                 "неблагоприятных социальных условиях, на {year} год"


class ActError(Exception):
    """Input the register refuses; `errors` maps a form field (None: the whole form) to Russian messages."""

    def __init__(self, errors: dict[str | None, list[str]]):
        self.errors = errors
        super().__init__(" ".join(message for messages in errors.values() for message in messages))


def default_issuer(region) -> str:
    """The region's department's name, for the acts the portal registers itself (the list's approval order)."""
    return region.department_name or getattr(settings, "PORTAL_DEPARTMENT_NAME", "") or "Управление образования"


def max_file_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def _file_problem(file) -> str | None:
    name = getattr(file, "name", "") or "файл"
    size = getattr(file, "size", None) or 0
    if not size:
        return f"Файл «{name}» пуст. Выберите PDF-файл акта."
    if size > max_file_bytes():
        return (
            f"Файл «{name}» занимает {size_label(size)} — больше допустимых {size_label(max_file_bytes())}. "
            "Сохраните скан в PDF с меньшим разрешением и загрузите снова."
        )
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        return (
            f"Файл «{name}» не принят: по содержимому это не PDF. Акт загружается в PDF — скан подписанного акта "
            "или документ, сохранённый в PDF. Тип определяется по содержимому файла, а не по расширению."
        )
    return None


def _problems(fields: dict, *, region, file, exclude_pk=None, today=None) -> dict[str | None, list[str]]:
    errors: dict[str | None, list[str]] = {}
    today = today or timezone.localdate()
    for name, label in (("number", "номер"), ("title", "название"), ("issuer", "орган, издавший акт")):
        if not (fields.get(name) or "").strip():
            errors.setdefault(name, []).append(f"Укажите {label} акта.")
    date = fields.get("date")
    if date is None:
        errors.setdefault("date", []).append("Укажите дату акта.")
    elif date > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors.setdefault("date", []).append(
            f"Дата {date:%d.%m.%Y} — больше чем через {MAX_DAYS_AHEAD} день от сегодняшнего ({today:%d.%m.%Y}). "
            "Акт регистрируют, когда он издан; проверьте год."
        )
    elif date < EARLIEST_DATE:
        errors.setdefault("date", []).append(f"Дата {date:%d.%m.%Y} слишком ранняя: проверьте год.")
    if fields.get("kind") not in Act.Kind.values:
        errors.setdefault("kind", []).append("Выберите вид акта из списка.")
    if file is not None and (problem := _file_problem(file)):
        errors.setdefault("file", []).append(problem)
    if not errors and (duplicate := _duplicate(fields, region, exclude_pk)):
        errors.setdefault(None, []).append(
            f"Такой акт уже есть в реестре: {duplicate.label}, {duplicate.issuer} («{duplicate.title}»). "
            "Откройте его и добавьте связь, а не регистрируйте второй раз."
        )
    return errors


def _duplicate(fields: dict, region, exclude_pk=None) -> Act | None:
    """The same act of the same region: two regions' ministries may number their orders alike."""
    same = Act.objects.filter(region=region).annotate(number_lower=Lower("number"), issuer_lower=Lower("issuer")).filter(
        kind=fields["kind"], date=fields["date"], number_lower=fields["number"].strip().lower(),
        issuer_lower=fields["issuer"].strip().lower(),
    )  # fmt: skip
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.first()


def _clean(fields: dict) -> dict:
    cleaned = {name: fields.get(name) for name in FIELDS}
    for name in ("number", "title", "issuer", "note"):
        cleaned[name] = " ".join((cleaned[name] or "").split()) if name != "note" else (cleaned[name] or "").strip()
    return cleaned


def _stamp(obj, actor, reason: str):
    obj._history_user = actor
    obj._change_reason = reason
    return obj


def _store(act: Act, file) -> None:
    act.file_name = (getattr(file, "name", "") or "акт.pdf").replace("\\", "/").rsplit("/", 1)[-1][:300]
    act.file_size = file.size
    act.file.save("act.pdf", file, save=False)


def _save_or_remove_file(act: Act, stored: bool) -> None:
    """Save the row; if it cannot be saved (a duplicate written meanwhile), remove the file just stored."""
    try:
        with transaction.atomic():
            act.save()
    except IntegrityError as exc:
        if stored:
            default_storage.delete(act.file.name)
        raise ActError({None: ["Такой акт уже есть в реестре (тот же вид, номер, дата и орган)."]}) from exc
    except Exception:
        if stored:
            default_storage.delete(act.file.name)
        raise


def _delete_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def act_create(*, actor, fields: dict, file=None, link_to: tuple[ActTarget, object] | None = None) -> Act:
    """Register an act (and link it to what it approves, when registered from that thing's page)."""
    require(can_create_acts(actor), "Акты регистрируют управление образования и координаторы.")
    fields = _clean(fields)
    municipality = fields["municipality"]
    # A municipality's act belongs to its region; a region's act to the region the user works in (issue 20).
    region = municipality.region if municipality is not None else working_region(actor)
    errors = _problems(fields, region=region, file=file)
    if municipality is None and not can_edit_act(actor, Act(municipality=None, region=region)):
        errors.setdefault("municipality", []).append("Выберите свой муниципалитет: акты региона регистрирует управление.")
    elif municipality is not None and not can_edit_act(actor, Act(municipality=municipality, region=region)):
        errors.setdefault("municipality", []).append("Акты этого муниципалитета регистрирует его координатор.")
    if link_to is not None and not errors and not link_to[0].can_link(actor, link_to[1]):
        errors.setdefault(None, []).append(f"Связать акт с объектом «{link_to[0].name(link_to[1])}» вы не можете.")
    if errors:
        raise ActError(errors)
    act = Act(**fields, region=region, created_by=actor)
    if file is not None:
        _store(act, file)
    _save_or_remove_file(_stamp(act, actor, "акт зарегистрирован"), stored=file is not None)
    if link_to is not None:
        _link(act, actor, *link_to)
    return act


@transaction.atomic
def act_update(*, act: Act, actor, fields: dict, file=None) -> Act:
    act = Act.objects.select_for_update().get(pk=act.pk)
    require(can_edit_act(actor, act), NOT_EDITOR)
    fields = _clean(fields)
    municipality = fields["municipality"]
    region = municipality.region if municipality is not None else act.region
    errors = _problems(fields, region=region, file=file, exclude_pk=act.pk)
    if not can_edit_act(actor, Act(municipality=municipality, region=region)):
        errors.setdefault("municipality", []).append("Перенести акт можно только в свой муниципалитет.")
    if errors:
        raise ActError(errors)
    old_file = act.file.name if (file is not None and act.file) else ""
    for name, value in fields.items():
        setattr(act, name, value)
    act.region = region
    if file is not None:
        _store(act, file)
    _save_or_remove_file(_stamp(act, actor, "акт изменён" if file is None else "акт изменён, файл заменён"),
                         stored=file is not None)  # fmt: skip
    _delete_on_commit(old_file)
    return act


@transaction.atomic
def act_delete(*, act: Act, actor) -> None:
    act = Act.objects.select_for_update().get(pk=act.pk)
    require(can_edit_act(actor, act), NOT_EDITOR)
    name = act.file.name if act.file else ""
    for link in act.links.all():
        _stamp(link, actor, "акт удалён").delete()
    _stamp(act, actor, "акт удалён из реестра").delete()
    _delete_on_commit(name)


def _link(act: Act, actor, kind: ActTarget, obj) -> ActLink:
    link, created = ActLink.objects.get_or_create(
        act=act, target=kind.key, object_id=obj.pk, defaults={"created_by": actor}
    )
    return link


@transaction.atomic
def act_link(*, act: Act, actor, kind: ActTarget, obj) -> ActLink:
    """Link an act to a thing it approves (a second link to the same thing is the same link)."""
    act = Act.objects.select_for_update().get(pk=act.pk)
    require(can_link_act(actor, act, kind, obj), f"Связать этот акт с объектом «{kind.name(obj)}» вы не можете.")
    return _link(act, actor, kind, obj)


@transaction.atomic
def act_unlink(*, link: ActLink, actor, kind: ActTarget, obj) -> None:
    require(can_link_act(actor, link.act, kind, obj), f"Убрать связь акта с «{kind.name(obj)}» вы не можете.")
    _stamp(link, actor, "связь снята").delete()


def act_register_for_list(*, run: IdentificationRun, actor) -> Act | None:
    """The order a list is approved by, in the register: found by kind, number, date and issuer, or registered;
    linked to the run. Called inside the approval's transaction; a run approved without an order registers none."""
    if not (run.order_number and run.order_date):
        return None
    # a district's own list is approved by its district's department (issue 20)
    issuer = f"Управление образования: {run.municipality.name}" if run.municipality_id else default_issuer(run.region)
    fields = {"kind": Act.Kind.ORDER, "number": run.order_number, "date": run.order_date, "issuer": issuer}
    act = _duplicate(fields, run.region)
    if act is None:
        act = Act(
            **fields, region_id=run.region_id, municipality_id=run.municipality_id,
            title=LIST_ACT_TITLE.format(year=run.year), created_by=actor,
        )  # fmt: skip
        _stamp(act, actor, "приказ об утверждении перечня").save()
    ActLink.objects.get_or_create(act=act, target="list", object_id=run.pk, defaults={"created_by": actor})
    return act
