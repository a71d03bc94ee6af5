from django import forms

from . import kinds


class PreferenceForm(forms.Form):
    """Which kinds come by e-mail, and how; every kind comes in the portal anyway."""

    email = forms.EmailField(
        label="Адрес электронной почты", required=False,
        help_text="Сюда приходят письма. Если адрес пуст, уведомления видны только на портале.",
    )
    delivery = forms.ChoiceField(
        label="Как присылать письма",
        choices=[("now", "Сразу — письмо на каждое уведомление"), ("digest", "Раз в день — одна сводка за день")],
        widget=forms.RadioSelect,
    )
    emailed_kinds = forms.MultipleChoiceField(
        label="Что присылать на почту", required=False, choices=kinds.choices(), widget=forms.CheckboxSelectMultiple
    )

    def groups(self):
        """The kind checkboxes grouped for the page: [(group, [bound checkbox, …]), …]."""
        boxes = {box.data["value"]: box for box in self["emailed_kinds"]}
        return [(group, [boxes[kind.code] for kind in members]) for group, members in kinds.grouped()]


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Вид", required=False, choices=[("", "Все виды"), *kinds.choices()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    state = forms.ChoiceField(
        label="Показать", required=False,
        choices=[("", "Все"), ("unread", "Непрочитанные"), ("read", "Прочитанные")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""
