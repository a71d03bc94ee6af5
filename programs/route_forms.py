"""Forms of the review routes' pages and of opening a review of a step on a programme's page."""

from django import forms

from .access import mutual_reviewer_schools, reviewer_organisations
from .deadlines import MONTH_NAMES
from .review_routes import ReviewRoute, ReviewStep, RouteOwner, StepReviewer
from .route_services import STEP_FIELDS

MONTH_CHOICES = [("", "—")] + [(str(number), name) for number, name in enumerate(MONTH_NAMES, start=1)]


class RouteCreateForm(forms.Form):
    region = forms.ModelChoiceField(label="Территория", queryset=None, empty_label="— выберите территорию —")
    owner = forms.ChoiceField(label="Для каких программ", choices=RouteOwner.choices)
    basis = forms.CharField(label="Основание", max_length=500, required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class ReviewStepForm(forms.ModelForm):
    due_month = forms.TypedChoiceField(
        label="Срок: месяц", choices=MONTH_CHOICES, coerce=int, empty_value=None, required=False,
        help_text="До конца этого месяца — ближайшего после открытия экспертизы (seed 004: «Сентябрь»).",
        error_messages={"invalid_choice": "Месяц срока — от 1 до 12."},
    )  # fmt: skip

    class Meta:
        model = ReviewStep
        fields = STEP_FIELDS
        widgets = {
            "stage_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "stage_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, route: ReviewRoute, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.route = route  # the model's checks read it
        if self.instance.pk is None:
            self.instance.position = 0


class StepCriteriaForm(forms.Form):
    criteria = forms.CharField(
        label="Чек-лист шага", required=False, widget=forms.Textarea(attrs={"rows": 10}),
        help_text="По одному критерию в строке. Пусто — шаг проверяют по общему чек-листу.",
    )  # fmt: skip

    def names(self) -> list[str]:
        return self.cleaned_data["criteria"].splitlines()


class ReviewOpenForm(forms.Form):
    """Who carries out a review of a step that gives it to a school or an organisation."""

    school = forms.ModelChoiceField(
        label="Школа-эксперт", queryset=None, required=False, empty_label="— выберите школу —"
    )
    organisation = forms.ModelChoiceField(
        label="Организация-эксперт", queryset=None, required=False, empty_label="— выберите организацию —"
    )

    def __init__(self, *args, user, programme, step: ReviewStep, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step.reviewer == StepReviewer.SCHOOL:
            self.fields["school"].queryset = mutual_reviewer_schools(user, programme, step)
            self.fields["school"].required = True
            del self.fields["organisation"]
        elif step.reviewer == StepReviewer.ORGANISATION:
            self.fields["organisation"].queryset = reviewer_organisations(user, programme)
            self.fields["organisation"].required = True
            del self.fields["school"]
        else:
            del self.fields["school"], self.fields["organisation"]
