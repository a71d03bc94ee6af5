"""Notifications about what the apps below this one report by signal (`schools.signals`): they do not import us."""

from django.dispatch import receiver

from schools import signals as school_signals

from . import kinds
from . import recipients as people
from .services import notify


@receiver(school_signals.list_change_proposed)
def tell_department_of_proposal(sender, *, change, actor, **kwargs):
    notify(
        kind=kinds.LIST_CHANGE_PROPOSED,
        # a district's own list: its district's department decides; the region's list: the region's
        recipients=people.departments_of_district(change.run.municipality_id) if change.run.municipality_id
        else people.departments_of_region(change.run.region_id),
        target=change,
        title=f"Предложение к перечню на {change.run.year_label} учебный год: {change.get_kind_display()} — "
        f"{change.school.short_name}",
        body=f"Основание: {change.reason}",
        actor=actor,
    )


@receiver(school_signals.list_change_decided)
def tell_author_of_decision(sender, *, change, actor, accepted, **kwargs):
    if not change.author_id:
        return
    notify(
        kind=kinds.LIST_CHANGE_DECIDED,
        recipients=[change.author_id],
        target=change,
        title=f"Предложение «{change.get_kind_display()}» по школе «{change.school.short_name}» "
        f"{'принято' if accepted else 'отклонено'}",
        actor=actor,
    )


@receiver(school_signals.list_approved)
def tell_people_of_list(sender, *, run, actor, shnor, shnsu, both, **kwargs):
    order = f" (приказ от {run.order_date:%d.%m.%Y} № {run.order_number})" if run.order_date and run.order_number else ""
    notify(
        kind=kinds.LIST_APPROVED,
        recipients=people.people_of_list(run),
        target=run,
        title=f"Утверждён {run.list_name} (ШНОР/ШНСУ)",
        body=(
            f"Управление образования утвердило перечень{order}: ШНОР — {shnor}, ШНСУ — {shnsu} "
            f"(из них и то и другое — {both}). Статусы школ, которые вы видите, с пояснениями — на странице перечня."
        ),
        actor=actor,
    )
