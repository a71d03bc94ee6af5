from django import forms

from schools.school_year import current_school_year, school_year_label

from .models import Audience, Campaign, Question, SchoolLink

SCALE_CHOICES = [(str(v), str(v)) for v in range(1, 6)]
YES_NO_CHOICES = [("1", "да"), ("0", "нет")]


class CampaignForm(forms.ModelForm):
    region = forms.ModelChoiceField(label="регион", queryset=None, empty_label=None)
    audiences = forms.MultipleChoiceField(
        label="кого опрашиваем", choices=Audience.choices, widget=forms.CheckboxSelectMultiple,
        initial=list(Audience.values),
    )

    class Meta:
        model = Campaign
        fields = ["region", "year", "title", "opens_on", "closes_on", "audiences", "min_answers"]
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}),
                   "closes_on": forms.DateInput(attrs={"type": "date"})}  # fmt: skip

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        year = current_school_year()
        self.fields["year"].initial = year
        self.fields["title"].initial = f"Удовлетворённость качеством образования, {school_year_label(year)} учебный год"
        if regions.count() == 1:
            self.fields["region"].widget = forms.HiddenInput()
            self.fields["region"].initial = regions.first()

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("Год — четырьмя цифрами, например 2027 (2026/27 учебный год).")
        return year


class ClassCodesForm(forms.Form):
    label = forms.CharField(label="класс или собрание", max_length=100, help_text="Например: «9 Б» или «собрание 5 марта».")
    count = forms.IntegerField(label="сколько кодов", min_value=1, max_value=200, initial=30)


class LinkSettingsForm(forms.ModelForm):
    class Meta:
        model = SchoolLink
        fields = ["needs_class_code"]


class AnswerForm(forms.Form):
    """The questionnaire as a form: one field per question, a class code where the school asks for one, and a field
    that people do not see and robots fill (`website`)."""

    website = forms.CharField(required=False, label="сайт", widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                                           "tabindex": "-1"}))  # fmt: skip

    def __init__(self, *args, questions: list[Question], needs_class_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {f"q{question.pk}": question for question in questions}
        if needs_class_code:
            self.fields["class_code"] = forms.CharField(
                label="код, который вам выдали", max_length=16, widget=forms.TextInput(attrs={"autocapitalize": "characters"})
            )
        for name, question in self.questions.items():
            if question.kind == Question.Kind.TEXT:
                self.fields[name] = forms.CharField(label=question.text, required=False, max_length=2000,
                                                    widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
            else:
                choices = SCALE_CHOICES if question.kind == Question.Kind.SCALE else YES_NO_CHOICES
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text, choices=choices, coerce=int, required=question.required,
                    widget=forms.RadioSelect, empty_value=None,
                    error_messages={"required": "Выберите ответ.", "invalid_choice": "Такого ответа нет."},
                )

    def answers(self) -> dict:
        return {question: self.cleaned_data.get(name) for name, question in self.questions.items()}
