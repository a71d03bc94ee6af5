from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from shnor_portal.history import GuardedModelForm
from shnor_portal.uploads import XlsxFileField

from .access import visible_municipalities
from .models import SchoolYearProfile

SHARE_FIELDS = [
    "share_low_income",
    "share_single_parent",
    "share_special_needs",
    "share_parents_higher_education",
]
COUNT_FIELDS = [
    "pupils",
    "graduates_9",
    "graduates_11",
    "pupils_on_register",
    "teachers",
    "vacancies",
    "teachers_under_35",
    "teachers_over_55",
    "teachers_highest_category",
    "teachers_first_category",
]

# The rest of seed 002's social passport, loaded by its own import (`schools.passport_import`) and edited on the card.
PASSPORT_SHARE_FIELDS = ["share_parents_educated", "share_zpr", "share_difficult_situation"]
PASSPORT_COUNT_FIELDS = ["pupils_left"]
YES_NO_FIELDS = ["remote_small_rural"]

# How the profile form is laid out: (section title, fields).
PROFILE_SECTIONS = [
    ("Обучающиеся", ["pupils", "graduates_9", "graduates_11", "pupils_on_register", "pupils_left"]),
    ("Семьи и особые потребности", SHARE_FIELDS + PASSPORT_SHARE_FIELDS + YES_NO_FIELDS),
    (
        "Педагоги",
        [
            "teachers",
            "vacancies",
            "teachers_under_35",
            "teachers_over_55",
            "teachers_highest_category",
            "teachers_first_category",
        ],
    ),
]

SHARE_MESSAGE = "Доля указывается в процентах: от 0 до 100."
COUNT_MESSAGE = "Количество не может быть отрицательным."
NUMBER_MESSAGE = "Введите число."
WHOLE_NUMBER_MESSAGE = "Введите целое число."


def profile_consistency_errors(values: dict) -> dict[str, str]:
    """Parts that cannot exceed their whole: graduates and registered pupils vs pupils, teacher groups vs teachers.

    Used by the form and by the xlsx import, so both refuse the same profiles.
    """
    errors = {}
    pupils = values.get("pupils")
    for name in ("graduates_9", "graduates_11", "pupils_on_register", "pupils_left"):
        value = values.get(name)
        if pupils is not None and value is not None and value > pupils:
            errors[name] = "Не может быть больше, чем обучающихся в школе."
    teachers = values.get("teachers")
    for name in ("teachers_under_35", "teachers_over_55", "teachers_highest_category", "teachers_first_category"):
        value = values.get(name)
        if teachers is not None and value is not None and value > teachers:
            errors[name] = "Не может быть больше, чем педагогов в школе."
    return errors


class SchoolYearProfileForm(GuardedModelForm):
    """A school's profile for one year; counts are whole and not negative, shares lie between 0 and 100 %."""

    guards_creation = True

    class Meta:
        model = SchoolYearProfile
        fields = COUNT_FIELDS + PASSPORT_COUNT_FIELDS + SHARE_FIELDS + PASSPORT_SHARE_FIELDS + YES_NO_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SHARE_FIELDS + PASSPORT_SHARE_FIELDS:
            field = self.fields[name]
            field.min_value, field.max_value = 0, 100
            field.validators += [MinValueValidator(0), MaxValueValidator(100)]
            field.error_messages.update(min_value=SHARE_MESSAGE, max_value=SHARE_MESSAGE, invalid=NUMBER_MESSAGE)
            field.widget.attrs.update(min=0, max=100, step="0.1", inputmode="decimal")
        for name in COUNT_FIELDS + PASSPORT_COUNT_FIELDS:
            field = self.fields[name]
            field.error_messages.update(min_value=COUNT_MESSAGE, invalid=WHOLE_NUMBER_MESSAGE)
            field.widget.attrs.update(min=0, step=1, inputmode="numeric")
        for field in self.fields.values():
            if field.label:
                field.label = field.label[:1].upper() + field.label[1:]

    def clean(self):
        cleaned = super().clean()
        for name, message in profile_consistency_errors(cleaned).items():
            self.add_error(name, message)
        return cleaned

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in PROFILE_SECTIONS]


class RegistryImportForm(forms.Form):
    file = XlsxFileField(
        label="Заполненный шаблон (.xlsx)",
        error_messages={"required": "Выберите файл для загрузки.", "empty": "Файл пустой."},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class VerdictSearchForm(forms.Form):
    """The school search and the municipality of the tables of a run: its verdicts and the list formed from it.
    Subclasses add their own fields and call `search` first."""

    q = forms.CharField(label="Поиск школы", required=False)
    municipality = forms.ModelChoiceField(label="Муниципалитет", queryset=None, required=False, empty_label="Все")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = visible_municipalities(user)

    def search(self, verdicts):
        """Verdicts of the schools named like the search and of the chosen municipality (the form is valid)."""
        text = self.cleaned_data["q"].strip()
        if text:
            verdicts = verdicts.filter(Q(school__short_name__icontains=text) | Q(school__name__icontains=text))
        if self.cleaned_data["municipality"]:
            verdicts = verdicts.filter(school__municipality=self.cleaned_data["municipality"])
        return verdicts
