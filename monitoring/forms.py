from django import forms
from django.core.exceptions import ValidationError

from programs.files import evidence_max_bytes
from shnor_portal.spreadsheets import size_label
from shnor_portal.uploads import CellError, XlsxFileField, read_decimal

from .calendar import stage_choices
from .filters import year_choices
from .models import Indicator, MonitoringStage, MunicipalStageShift
from .models.calendar import dates_problem


def _size_checked(upload, limit: int):
    if upload.size > limit:
        raise ValidationError(
            f"Файл больше допустимого размера ({size_label(limit)}). Загрузите файл меньшего размера."
        )
    if not upload.size:
        raise ValidationError("Файл пуст: в нём нет ни одного байта.")
    return upload


class GridForm(forms.Form):
    """One field for the value and one for the comment of every indicator typed on the grid.

    Computed indicators get no field: their value cannot be typed. `read_only` disables every field.
    """

    def __init__(
        self, *args, indicators: list[Indicator], initial_values: dict, versions: dict | None = None,
        read_only: bool = False, **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.indicators = [i for i in indicators if not i.is_computed]
        versions = versions or {}
        for indicator in self.indicators:
            value, comment = initial_values.get(indicator.pk, (None, ""))
            # The version of the cell the page was opened on (0: empty); a save over a newer one is refused.
            self.fields[f"seen_{indicator.pk}"] = forms.IntegerField(
                required=False, initial=versions.get(indicator.pk, 0), widget=forms.HiddenInput, disabled=read_only
            )
            self.fields[f"value_{indicator.pk}"] = forms.CharField(
                label=indicator.name,
                required=False,
                initial=str(value).replace(".", ",") if value is not None else "",
                disabled=read_only,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm text-end", "inputmode": "decimal", "size": 8}
                ),
            )
            self.fields[f"comment_{indicator.pk}"] = forms.CharField(
                label=f"Комментарий: {indicator.name}",
                required=False,
                max_length=1000,
                initial=comment,
                disabled=read_only,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def clean(self):
        cleaned = super().clean()
        for indicator in self.indicators:
            name = f"value_{indicator.pk}"
            try:
                number = read_decimal(cleaned.get(name))
                error = indicator.value_error(number) if number is not None else None
            except CellError as refused:
                number, error = None, str(refused)
            if error:
                self.add_error(name, error[:1].upper() + error[1:] + ".")
            else:
                cleaned[name] = number
        return cleaned

    def entries(self) -> list[tuple[Indicator, object, str, int | None]]:
        return [
            (
                indicator,
                self.cleaned_data.get(f"value_{indicator.pk}"),
                self.cleaned_data.get(f"comment_{indicator.pk}", ""),
                self.cleaned_data.get(f"seen_{indicator.pk}"),
            )
            for indicator in self.indicators
        ]

    def reopen_on(self, current: dict) -> None:
        """After a refused save: the cells somebody else changed show what is stored now (and its version); the
        user's other typing stays, for a deliberate second save."""
        self.data = self.data.copy()
        for pk, (value, comment, version) in current.items():
            self.data[f"value_{pk}"] = str(value).replace(".", ",") if value is not None else ""
            self.data[f"comment_{pk}"] = comment
            self.data[f"seen_{pk}"] = version

    def bound(self, indicator: Indicator):
        if indicator.is_computed:
            return None, None
        return self[f"value_{indicator.pk}"], self[f"comment_{indicator.pk}"]


class SelfAssessmentUploadForm(forms.Form):
    file = XlsxFileField(
        label="Заполненный шаблон самооценки",
        help_text="Книга Excel (.xlsx), скачанная на этой странице и заполненная.",
    )


class OpenReportForm(forms.Form):
    file = forms.FileField(
        label="Открытый доклад по результатам самооценки",
        help_text="PDF или документ Word (.docx).",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )

    def clean_file(self):
        return _size_checked(self.cleaned_data["file"], evidence_max_bytes())


class DecisionForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"
    action = forms.ChoiceField(choices=[(ACCEPT, "принять"), (RETURN, "вернуть на доработку")])
    comment = forms.CharField(
        label="Комментарий для школы",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Обязателен, если самооценка возвращается на доработку.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.RETURN and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Напишите школе, что нужно исправить: без комментария вернуть нельзя.")
        return cleaned


class QueueActionForm(forms.Form):
    CONFIRM, RETURN = "confirm", "return"
    action = forms.ChoiceField(choices=[(CONFIRM, "подтвердить"), (RETURN, "вернуть")])
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=False)
    comment = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args, ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in ids]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("ids"):
            raise ValidationError("Отметьте значения, которые нужно подтвердить или вернуть.")
        if cleaned.get("action") == self.RETURN and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Чтобы вернуть значения, напишите, что в них исправить.")
        return cleaned


class ValuesImportForm(forms.Form):
    file = XlsxFileField(label="Файл со значениями", help_text="Книга Excel (.xlsx) по шаблону этой страницы.")


class ValuesTemplateForm(forms.Form):
    year = forms.TypedChoiceField(label="Учебный год", coerce=int, choices=[])
    stage = forms.ChoiceField(label="Этап мониторинга", choices=stage_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()


# --- the monitoring calendar ------------------------------------------------------------------------------------------


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonitoringStageForm(forms.ModelForm):
    class Meta:
        model = MonitoringStage
        fields = ["position", "code", "name", "starts_on", "due_on", "basis"]
        widgets = {"starts_on": _date_input(), "due_on": _date_input()}

    def validate_unique(self):
        """The service checks the code within the territory's year, with a message that names both."""

    def clean(self):
        cleaned = super().clean()
        problem = dates_problem(cleaned.get("starts_on"), cleaned.get("due_on"), name=cleaned.get("name") or "этап")
        if problem:
            self.add_error("due_on", problem)
        return cleaned


class StageShiftForm(forms.ModelForm):
    class Meta:
        model = MunicipalStageShift
        fields = ["starts_on", "due_on", "note"]
        widgets = {"starts_on": _date_input(), "due_on": _date_input()}

    def validate_unique(self):
        """One shift per stage and municipality: the service updates the existing one."""
