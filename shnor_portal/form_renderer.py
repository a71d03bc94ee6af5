"""The form renderer of the portal: Django's, except that a <select> is written in Python.

Django renders every <option> through two template includes (the option and its attributes): with a country's
1,150 municipalities in the registry's filter, the options were most of the page's time (measured: docs/PERFORMANCE.md,
«Figures quoted in the code»). The markup written here is the one of Django's templates
`django/forms/widgets/select.html` and `select_option.html` (a test compares them)."""

import html

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"


def _escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper, which cost more than the escaping: a safe string as it
    is, anything else through `html.escape` (what Django's `escape` does)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """As `django/forms/widgets/attrs.html`: False leaves the attribute out, True writes it bare."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict) -> str:
    parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(
                f'\n  <option value="{_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


def flat_select_html(name: str, attrs: dict, choices, selected: set[str]) -> str:
    """The markup of `select_html` straight from flat (value, label) choices, the first of the `selected` values
    marked: for a select of a thousand options, building Django's option dicts cost as much as writing them."""
    parts = [f'<select name="{_escape(name)}"{_attrs(attrs)}>']
    chosen = False
    for value, label in choices:
        value = "" if value is None else str(value)
        mark = ""
        if not chosen and value in selected:
            mark, chosen = " selected", True
        parts.append(f'\n  <option value="{_escape(value)}"{mark}>{_escape(label)}</option>\n')
    parts.append("\n</select>")
    return mark_safe("".join(parts))


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)
