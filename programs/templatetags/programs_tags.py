from django import template

from programs.models import number_label

register = template.Library()


@register.filter
def num(value) -> str:
    """A stored number as people write it: 4.00 → «4», 2.50 → «2,5»."""
    return number_label(value)
