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
