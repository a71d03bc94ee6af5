"""The section's navigation: the links each role's work needs, decided by `partnerships.access`."""

from django import template

from .. import access

register = template.Library()


def section_links(user) -> list[dict]:
    """(url name, label, icon) of the section's pages the user may open, in the order of the work."""
    links = []
    if access.can_see_summary(user):
        links.append(("partnerships:summary", "Сводка", "bi-speedometer2"))
    if access.can_see_agreements(user):
        links.append(("partnerships:agreements", "Договоры", "bi-file-earmark-text"))
        links.append(("partnerships:sessions", "Занятия", "bi-calendar-check"))
    if access.can_see_teachers(user):
        links.append(("partnerships:teachers", "Педагоги", "bi-person-badge"))
        links.append(("partnerships:plans", "ИПРП", "bi-journal-check"))
    if access.can_see_tutor_team(user):
        links.append(("partnerships:tutors", "Тьюторы", "bi-people"))
    if access.can_see_coverage(user):
        links.append(("partnerships:coverage", "Охват педагогов", "bi-pie-chart"))
    if access.has_any_role(user):
        links.append(("partnerships:practices", "Банк практик", "bi-collection"))
        links.append(("partnerships:events", "Мероприятия", "bi-easel"))
    if access.can_read_targets(user):
        links.append(("partnerships:targets", "Цели", "bi-bullseye"))
    return [{"url_name": name, "label": label, "icon": icon} for name, label, icon in links]


@register.inclusion_tag("partnerships/_section_nav.html", takes_context=True)
def partnerships_nav(context, current: str = ""):
    request = context.get("request")
    return {"links": section_links(request.user) if request else [], "current": current}


@register.simple_tag
def partnerships_links(user) -> list[dict]:
    return section_links(user)


@register.filter
def percent(value):
    """12.5 → «12,5 %»; None → «—»."""
    if value is None:
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " %"
