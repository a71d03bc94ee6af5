from html import escape

from django import template
from django.utils.safestring import mark_safe

from monitoring.models import number_label

register = template.Library()


@register.filter
def num(value):
    """A value as people write it: 12.50 → «12,5», 75.00 → «75», None → «»."""
    if value is None or value == "":
        return ""
    try:
        return number_label(value)
    except (ArithmeticError, ValueError, TypeError):
        return value


@register.filter
def school_year(year):
    """2027 → «2026/27»: years are stored by the calendar year the school year ends in."""
    from schools.school_year import school_year_label

    try:
        return school_year_label(int(year))
    except (TypeError, ValueError):
        return year


@register.filter
def figure(value, kind="int"):
    """A dashboard figure: a count as is, a share as «42,9 %»; a share of nothing is «—»."""
    if value is None:
        return "—"
    if kind == "percent":
        text = f"{float(value):.1f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") + " %"
    return value


@register.filter
def raw(value):
    """The machine value of a figure for a data attribute: 42.9, 7, or empty for none."""
    return "" if value is None else str(value)


@register.simple_tag
def figure_value(item):
    """One figure of the year: the number is a link to the list it counts. `item` has key, kind, value and url.
    A tag, not an include: the department's dashboard writes a thousand of them."""
    # html.escape on plain strings: format_html's lazy-string checks cost more than the escaping, a thousand times.
    text, value, key = escape(str(figure(item["value"], item["kind"]))), escape(raw(item["value"])), escape(item["key"])
    if item["url"]:
        return mark_safe(
            f'<a href="{escape(item["url"])}" class="figure-link" data-figure="{key}" data-value="{value}">{text}</a>'
        )
    return mark_safe(f'<span data-figure="{key}" data-value="{value}">{text}</span>')


@register.simple_tag
def figure_cells(items):
    """A dashboard row's figures, each in its `<td class="text-end">`: a template loop around `figure_value` cost
    more than the figures themselves on the department's page of 500 cells. An item with a `group` is a column of
    that group, `hidden` while another group is shown (static/js/dashboard_columns.js switches them)."""
    return mark_safe("".join(f"<td{_cell_attributes(item)}>{figure_value(item)}</td>" for item in items))


def _cell_attributes(item) -> str:
    attributes = ' class="text-end"'
    if group := item.get("group"):
        attributes += f' data-group="{escape(group)}"'
    if item.get("hidden"):
        attributes += " hidden"
    return attributes
