"""`{{ filter.form.field|filter_field }}`: a list's filter field written as crispy-forms' bootstrap5
`as_crispy_field` writes it — the wrapper, the label and the widget with crispy's classes — in Python.

crispy renders each field through its `field.html` and two includes: the ten filter fields of the registry were
a large part of its time (measured: docs/PERFORMANCE.md, «Figures quoted in the code»). A field with errors or help text, or of a kind the short path does not write
(checkboxes, radio buttons, files, multi-widgets, hidden), goes through crispy itself; tests compare the two on
every filter form of the portal.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

ASTERISK = '<span class="asteriskField">*</span>'

_CRISPY_ONLY = (
    forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput, forms.MultiWidget,
)  # fmt: skip


def _add_classes(widget, extra: str) -> None:
    """What crispy's `{% crispy_field field 'class' extra %}` does to the widget: its own class name (through
    CRISPY_CLASS_CONVERTERS), then each class of `extra` not there yet."""
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in extra.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class


@register.filter
def filter_field(field):
    widget = field.field.widget
    if (
        field.errors
        or field.help_text
        or field.is_hidden
        or not field.label
        or field.use_fieldset
        or isinstance(widget, _CRISPY_ONLY)
        or getattr(field.form, "helper", None) is not None
    ):
        return as_crispy_field(field)
    _add_classes(widget, "form-select" if isinstance(widget, forms.Select) else "form-control")
    required = field.field.required
    css_classes = field.css_classes()
    label_for = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
    wrapper_classes = f" {conditional_escape(css_classes)}" if css_classes else ""
    return mark_safe(
        f'<div id="div_{conditional_escape(field.auto_id)}" class="mb-3{wrapper_classes}">'
        f'<label{label_for} class="form-label{" requiredField" if required else ""}">'
        f"{conditional_escape(field.label)}{ASTERISK if required else ''}</label>"
        f"{field}</div>"
    )


@register.simple_tag
def filter_chips(filterset, query) -> list[dict]:
    """The filters a list is narrowed by, for `templates/_filter_chips.html`: each with its label, the value as the
    form shows it, and the list's query without it (and without its page). `query` is the request's GET; a value the
    filterset lists in its `defaults` (what the list uses when nothing is chosen) is not a filter."""
    form = filterset.form
    defaults = getattr(filterset, "defaults", {})
    cleaned = getattr(form, "cleaned_data", {})
    chips = []
    for field in form:
        values = [value for value in query.getlist(field.name) if value != ""]
        if field.is_hidden or not values or values == [str(defaults.get(field.name))]:
            continue
        without = query.copy()
        without.pop(field.name, None)
        without.pop("page", None)
        chips.append(
            {
                "label": field.label,
                "value": ", ".join(_shown(field.field, value, cleaned.get(field.name)) for value in values),
                "query": without.urlencode(),
            }
        )
    return chips


def _shown(field, value: str, cleaned) -> str:
    """A chosen value as its select offers it: the choice's label, the object's name, or the text typed in."""
    if isinstance(field, forms.ModelChoiceField):
        if value == getattr(field, "null_value", None) and getattr(field, "null_label", None):
            return str(field.null_label)
        return str(cleaned) if cleaned is not None else value
    for key, label in getattr(field, "choices", ()):
        if isinstance(label, (list, tuple)):  # a group of choices
            for inner_key, inner_label in label:
                if str(inner_key) == value:
                    return str(inner_label)
        elif str(key) == value:
            return str(label)
    return value
