from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_STATUS_BADGES = {
    "both": '<span class="badge bg-danger">ШНОР и ШНСУ</span>',
    "shnor": '<span class="badge bg-danger">ШНОР</span>',
    "shnsu": '<span class="badge bg-warning text-dark">ШНСУ</span>',
    "no_data": (
        '<span class="badge bg-secondary" title="Результатов меньше, чем нужно лет для решения">'
        "недостаточно данных</span>"
    ),
}
_NOT_LISTED = '<span class="badge bg-body-secondary text-body-secondary border">не входит</span>'
_NO_LIST = '<span class="text-body-secondary" title="Перечень за этот год не утверждён">—</span>'
_PREVENTIVE = (
    '<span class="badge bg-info text-dark" title="Отрицательная динамика: рекомендуется профилактическая поддержка">'
    "профилактика</span>"
)
_CURATOR = '<span class="badge bg-success">кандидат в кураторы</span>'
_WATCH = (
    '<span class="badge bg-light text-dark border" title="Результаты низкие, но лет с результатами меньше, чем нужно">'
    "на контроле</span>"
)


@register.simple_tag
def status_badges(status, preventive=False, curator=False, approved=True, watch=False):
    """A school's place on a year's approved list: its status, preventive, curator-candidate and watch badges.
    `status` is "shnor", "shnsu", "both", "no_data", "none" or empty; `approved` says whether the year has a list at
    all. A tag, not an include: the registry writes one a row."""
    if status in _STATUS_BADGES:
        parts = [_STATUS_BADGES[status]]
    elif approved and not preventive and not curator:
        parts = [_NOT_LISTED]
    elif not approved:
        parts = [_NO_LIST]
    else:
        parts = []
    if preventive:
        parts.append(_PREVENTIVE)
    if curator:
        parts.append(_CURATOR)
    if watch:
        parts.append(_WATCH)
    return mark_safe("\n".join(parts))


@register.filter
def school_year(year):
    """2027 → «2026/27»: the portal names school years by the calendar year they end in (`schools.school_year`)."""
    from schools.school_year import school_year_label

    try:
        return school_year_label(int(year))
    except (TypeError, ValueError):
        return year


@register.simple_tag
def count_link(value, url_name, key, **params):
    """A number on a page as the link to the list of exactly the rows it counts («каждое число — ссылка»): the same
    markup as a dashboard's figure (`class="figure-link" data-figure data-value`), so one test walks them all."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.html import format_html

    value = value or 0
    query = urlencode({name: param for name, param in params.items() if param not in (None, "")})
    url = reverse(url_name) + (f"?{query}" if query else "")
    return format_html(
        '<a href="{}" class="figure-link" data-figure="{}" data-value="{}">{}</a>', url, key, value, value
    )


@register.filter
def person_name(user):
    """A person as lists write them: «Соколова Ирина Петровна» (surname first); the username when the names are empty."""
    return " ".join(part for part in ((user.last_name or "").strip(), (user.first_name or "").strip()) if part) or (
        user.username
    )


@register.filter
def person_short(user):
    """A person as the navbar writes them: «Соколова И. П.» for Ирина Петровна Соколова; the username when the
    names are empty. The full name goes beside it (title, menu) — a bar at 1366 px holds only the short form."""
    last = (user.last_name or "").strip()
    initials = " ".join(f"{word[0]}." for word in (user.first_name or "").split())
    if last:
        return f"{last} {initials}".strip()
    return user.get_full_name() or user.username
