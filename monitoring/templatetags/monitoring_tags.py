from django import template
from django.utils.html import format_html

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
    from schools.filters import school_year_label

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
    text, value = figure(item["value"], item["kind"]), raw(item["value"])
    if item["url"]:
        return format_html(
            '<a href="{}" class="figure-link" data-figure="{}" data-value="{}">{}</a>',
            item["url"],
            item["key"],
            value,
            text,
        )
    return format_html('<span data-figure="{}" data-value="{}">{}</span>', item["key"], value, text)
