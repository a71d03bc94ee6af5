from django import template

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
