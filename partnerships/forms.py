"""Forms of the partnerships pages; the domain rules live in `services`, whose refusals come back onto the fields."""

from django import forms
from django.utils import timezone

from programs.models import RiskFactor
from programs.region_lists import risk_factors_of
from schools.region_lists import region_rows
from schools.school_year import current_school_year, school_year_label
from shnor_portal.history import GuardedModelForm

from .access import (
    agreement_organisations,
    agreement_schools,
    event_municipalities,
    event_schools,
    practice_schools,
    teacher_schools,
    tutors_of_municipality,
)
from .models import (
    Agreement,
    AgreementPlanItem,
    DevelopmentPlan,
    DevelopmentPlanItem,
    EventAttendee,
    MethodicalEvent,
    Practice,
    Subject,
    SupportSession,
    SupportTarget,
    Teacher,
    TeacherDeficit,
    TutoringSession,
    TutorProfile,
)
from .region_lists import deficit_areas_of, subjects_of
from .selectors import list_marks
from .services.common import StaleEdit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def add_errors(form: forms.Form, exc) -> None:
    """Put a service's refusal (PartnershipError) next to the fields it names; unknown fields go on top."""
    for field, messages in exc.errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if isinstance(exc, StaleEdit) and isinstance(form, GuardedModelForm):
        form.reopen_on_current_version()


class AgreementHeadsForm(forms.Form):
    """The heads' names a printed agreement lacks: one field per party whose registry has none, and «save in the
    registry» for those who keep it. `missing` is [(Signatory, may save)]."""

    def __init__(self, *args, missing, **kwargs):
        super().__init__(*args, **kwargs)
        for signatory, may_save in missing:
            self.fields[signatory.key] = forms.CharField(
                label=f"{signatory.position} — {signatory.role.lower()} «{signatory.party.short_name}»: ФИО",
                max_length=200, help_text="Полностью, в именительном падеже: Иванов Иван Иванович.",
            )
            if may_save:
                self.fields[f"{signatory.key}_save"] = forms.BooleanField(
                    label="Сохранить в реестре, чтобы больше не спрашивать", required=False, initial=True
                )


def _risk_factors(region_ids, current=None):
    return risk_factors_of(region_ids, current)


def _regions_of(schools) -> set:
    return set(schools.values_list("municipality__region_id", flat=True))


def _agreement_region_id(agreement: Agreement) -> int:
    return agreement.supported_school.municipality.region_id


def _check_region_list(form, field: str, school, rows) -> None:
    """A choice offered from several regions' lists must be in the chosen school's region's list."""
    value = form.cleaned_data.get(field)
    if school is None or not value or form.has_error(field):
        return
    chosen = set(value) if hasattr(value, "__iter__") else {value}
    allowed = set(region_rows(rows, school.municipality.region_id).filter(pk__in=[v.pk for v in chosen]))
    if chosen - allowed:
        form.add_error(field, "Этого нет в списке территории школы: выберите из её списка.")


def _school_label(school) -> str:
    return f"{school.short_name} ({school.municipality.name})"


class SchoolChoiceField(forms.ModelChoiceField):
    marks: dict[int, str] = {}

    def label_from_instance(self, obj):
        mark = self.marks.get(obj.pk)
        return f"{_school_label(obj)} — {mark}" if mark else _school_label(obj)


class SchoolMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _school_label(obj)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


# --- agreements ---------------------------------------------------------------------------------------------------


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.short_name} ({obj.get_kind_display()}, {obj.level_label})"


class AgreementForm(GuardedModelForm):
    """The curator party is a school or an organisation of the registry — exactly one of them."""

    curator_school = SchoolChoiceField(label="Школа-куратор", queryset=None, required=False)
    curator_organisation = OrganisationChoiceField(
        label="или организация-куратор", queryset=None, required=False,
        help_text="Организация из реестра партнёров (дополнительное образование, инновационная площадка, институт): "
        "выберите её вместо школы-куратора.",
    )  # fmt: skip
    supported_school = SchoolChoiceField(label="Сопровождаемая школа", queryset=None)

    class Meta:
        model = Agreement
        fields = [
            "curator_school",
            "curator_organisation",
            "supported_school",
            "number",
            "signed_on",
            "starts_on",
            "ends_on",
            "subject",
            "form_consulting",
            "form_methodical",
            "form_organisational",
            "form_resource",
        ]
        widgets = {
            "signed_on": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "subject": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"number": "Номер можно указать при подписании."}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = agreement_schools(user)
        marks = list_marks()
        for name in ("curator_school", "supported_school"):
            self.fields[name].queryset = schools
            self.fields[name].marks = marks
        self.fields["curator_school"].help_text = "Кандидаты в кураторы — по утверждённому перечню; можно выбрать и другую школу."
        self.fields["curator_organisation"].queryset = agreement_organisations(user)
        if not self.instance.pk and not self.initial.get("subject"):
            self.initial["subject"] = (
                "Сотрудничество в целях повышения качества образования, оказания адресной методической помощи "
                "и перевода сопровождаемой школы в эффективный режим работы."
            )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "Окончание срока не может быть раньше его начала.")
        return data  # exactly one curator party: the model's `clean` says so on «Школа-куратор» (ONE_CURATOR)


class PlanItemForm(GuardedModelForm):
    class Meta:
        model = AgreementPlanItem
        fields = ["planned_on", "month_only", "format", "topic", "risk_factor"]
        widgets = {"planned_on": DateInput()}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_factor"].queryset = _risk_factors(
            _agreement_region_id(agreement), self.instance.risk_factor if self.instance.pk else None
        )
        self.fields["risk_factor"].empty_label = "не указан"


class PlanItemSelect(forms.Select):
    """The plan items of an agreement, each option carrying what it fills in the session form (static/js/portal.js:
    `data-plan-fills`): the format, the topic, the risk factor and the planned date."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        item = getattr(value, "instance", None)
        if item is not None:
            option["attrs"].update({
                "data-format": item.format, "data-topic": item.topic, "data-risk-factor": item.risk_factor_id or "",
                "data-planned-on": "" if item.month_only else item.planned_on.isoformat(), "data-when": item.when_label,
            })
        return option


class SessionForm(GuardedModelForm):
    class Meta:
        model = SupportSession
        fields = [
            "held_on",
            "format",
            "topic",
            "plan_item",
            "risk_factor",
            "teachers_count",
            "managers_count",
            "hours",
            "outcome",
        ]
        widgets = {
            "held_on": DateInput(), "outcome": forms.Textarea(attrs={"rows": 3}),
            "plan_item": PlanItemSelect(attrs={"data-plan-fills": ""}),
        }
        help_texts = {
            "plan_item": "Если занятие проведено по плану договора, выберите пункт плана: форма, тема и дата "
                         "подставятся из плана.",
            "outcome": "Что получила школа: решения, рекомендации, договорённости.",
        }

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_item"].queryset = agreement.plan_items.all()
        self.fields["plan_item"].empty_label = "вне плана"
        self.fields["risk_factor"].queryset = _risk_factors(
            _agreement_region_id(agreement), self.instance.risk_factor if self.instance.pk else None
        )
        self.fields["risk_factor"].empty_label = "не указан"
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())


class FileForm(forms.Form):
    file = forms.FileField(
        label="Файл",
        help_text="PDF, документ Word (.docx), книга Excel (.xlsx), изображение JPEG или PNG.",
        error_messages={"required": "Выберите файл.", "empty": "Файл пуст. Выберите файл с документом."},
    )


# --- teachers and tutors ------------------------------------------------------------------------------------------


class TeacherForm(GuardedModelForm):
    school = SchoolChoiceField(label="Школа", queryset=None)

    class Meta:
        model = Teacher
        fields = ["school", "full_name", "subject", "category", "experience", "is_active"]
        help_texts = {"full_name": "Только фамилия, имя и отчество: другие персональные данные портал не хранит."}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = teacher_schools(user)
        if self.instance.pk:
            self.fields["school"].disabled = True
            regions = self.instance.school.municipality.region_id
        else:
            del self.fields["is_active"]
            regions = _regions_of(self.fields["school"].queryset)
        current = self.instance.subject if self.instance.pk else None
        self.fields["subject"].queryset = subjects_of(regions, current)

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            _check_region_list(self, "subject", data.get("school"), Subject.objects.all())
        return data


class TutorAssignForm(forms.Form):
    tutor = UserChoiceField(
        label="Тьютор", queryset=None, empty_label="выберите тьютора", widget=forms.Select(attrs={"class": "form-select"})
    )
    starts_on = forms.DateField(label="С", widget=DateInput(attrs={"class": "form-control"}), required=False)

    def __init__(self, *args, teacher: Teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutor"].queryset = tutors_of_municipality(teacher.school.municipality_id)
        self.initial.setdefault("starts_on", timezone.localdate())


class DeficitForm(GuardedModelForm):
    class Meta:
        model = TeacherDeficit
        fields = ["area", "level", "diagnosed_on", "source", "note", "resolved_on"]
        widgets = {"diagnosed_on": DateInput(), "resolved_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, teacher: Teacher, **kwargs):
        super().__init__(*args, **kwargs)
        current = None
        if self.instance.pk:
            current = self.instance.area
            self.fields["area"].disabled = True
        else:
            del self.fields["resolved_on"]
        self.fields["area"].queryset = deficit_areas_of(teacher.school.municipality.region_id, current)


def plan_year_choices(extra=None):
    this_year = current_school_year()
    years = {this_year - 1, this_year, this_year + 1}
    if extra:
        years.add(extra)
    return [(year, school_year_label(year)) for year in sorted(years, reverse=True)]


class DevelopmentPlanForm(GuardedModelForm):
    year = forms.TypedChoiceField(label="Учебный год", coerce=int, choices=[])
    tutor = UserChoiceField(label="Тьютор", queryset=None, required=False, empty_label="не назначен")

    class Meta:
        model = DevelopmentPlan
        fields = ["year", "starts_on", "ends_on", "tutor", "status", "goal"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "goal": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, teacher: Teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = plan_year_choices(self.instance.year if self.instance.pk else None)
        self.fields["tutor"].queryset = tutors_of_municipality(teacher.school.municipality_id)
        if not self.instance.pk and not self.is_bound:
            year = current_school_year()
            self.initial.update(
                {"year": year, "starts_on": f"{year - 1}-09-01", "ends_on": f"{year}-06-30", "status": "active"}
            )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "Окончание плана не может быть раньше его начала.")
        return data


class DevelopmentPlanItemForm(GuardedModelForm):
    class Meta:
        model = DevelopmentPlanItem
        fields = ["action", "form", "deficit", "due_on", "status", "result"]
        widgets = {"due_on": DateInput(), "result": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan: DevelopmentPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deficit"].queryset = TeacherDeficit.objects.filter(teacher_id=plan.teacher_id).select_related("area")
        self.fields["deficit"].empty_label = "не указан"


class TutoringForm(forms.ModelForm):
    class Meta:
        model = TutoringSession
        fields = ["held_on", "format", "topic", "hours", "note"]
        widgets = {"held_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())


class TutorProfileForm(forms.ModelForm):
    workplace = SchoolChoiceField(label="Основное место работы", queryset=None, required=False, empty_label="не указано")

    class Meta:
        model = TutorProfile
        fields = ["direction", "subjects", "workplace", "note"]
        widgets = {"subjects": forms.CheckboxSelectMultiple}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        from schools.models import School

        self.fields["workplace"].queryset = School.objects.filter(municipality=municipality).select_related(
            "municipality"
        )
        held = self.instance.subjects.all() if self.instance.pk else None
        self.fields["subjects"].queryset = subjects_of(municipality.region_id, held)


# --- practices ----------------------------------------------------------------------------------------------------


class PracticeForm(GuardedModelForm):
    school = SchoolChoiceField(label="Школа-автор", queryset=None)

    class Meta:
        model = Practice
        fields = ["school", "title", "description", "subjects", "risk_factors"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "subjects": forms.CheckboxSelectMultiple,
            "risk_factors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = practice_schools(user)
        held_subjects = held_factors = None
        if self.instance.pk:
            regions = self.instance.school.municipality.region_id
            held_subjects, held_factors = self.instance.subjects.all(), self.instance.risk_factors.all()
        else:
            regions = _regions_of(self.fields["school"].queryset)
        self.fields["subjects"].queryset = subjects_of(regions, held_subjects)
        self.fields["risk_factors"].queryset = _risk_factors(regions, held_factors)
        if self.instance.pk:
            self.fields["school"].disabled = True
        elif self.fields["school"].queryset.count() == 1:
            self.initial.setdefault("school", self.fields["school"].queryset.get().pk)

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            _check_region_list(self, "subjects", data.get("school"), Subject.objects.all())
            _check_region_list(self, "risk_factors", data.get("school"), RiskFactor.objects.all())
        return data


# --- events -------------------------------------------------------------------------------------------------------


class EventForm(GuardedModelForm):
    schools = SchoolMultipleChoiceField(
        label="Приглашённые школы", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    municipalities = forms.ModelMultipleChoiceField(
        label="Приглашённые муниципалитеты (методические службы, МОУО)", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Их специалистов затем можно пригласить поимённо на странице «Приглашённые поимённо».",
    )

    class Meta:
        model = MethodicalEvent
        fields = ["title", "format", "held_on", "ends_on", "hours", "starts_at", "municipality", "organiser", "place",
                  "description", "target_group", "target_share", "is_cancelled"]  # fmt: skip
        widgets = {
            "held_on": DateInput(), "ends_on": DateInput(), "starts_at": TimeInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .access import event_organiser_municipalities, organises_regional_events

        regional = organises_regional_events(user)
        self.fields["municipality"].queryset = event_organiser_municipalities(user)
        if regional:
            self.fields["municipality"].empty_label = "региональное (все муниципалитеты региона)"
        else:
            self.fields["municipality"].required = True
            self.fields["municipality"].empty_label = None
        municipality_id = self.data.get("municipality") if self.is_bound else None
        if not self.is_bound:
            municipality_id = self.instance.municipality_id or (
                None if regional else self.fields["municipality"].queryset.values_list("pk", flat=True).first()
            )
        try:
            municipality_id = int(municipality_id) if municipality_id else None
        except (TypeError, ValueError):
            municipality_id = None
        self.fields["schools"].queryset = event_schools(user, municipality_id)
        self.fields["municipalities"].queryset = event_municipalities(user, municipality_id)
        self.fields["target_group"].required = False  # left out: the invited schools, as before people were counted
        if self.instance.pk:
            self.initial.setdefault("schools", list(self.instance.invitations.values_list("school_id", flat=True)))
            self.initial.setdefault(
                "municipalities", list(self.instance.invited_municipalities.values_list("pk", flat=True))
            )
        else:
            del self.fields["is_cancelled"]


    def clean_target_group(self):
        return self.cleaned_data.get("target_group") or MethodicalEvent.TargetGroup.SCHOOLS


class AttendanceForm(forms.Form):
    """One row per invited school: took part or not, and who (one person a line)."""

    CHOICES = [("", "не отмечено"), ("yes", "участвовала"), ("no", "не участвовала")]

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for invitation in invitations:
            attended_key, people_key = f"attended_{invitation.pk}", f"people_{invitation.pk}"
            self.fields[attended_key] = forms.ChoiceField(label=invitation.school.short_name, choices=self.CHOICES, required=False)
            self.fields[people_key] = forms.CharField(
                label="Участники (по одному в строке: ФИО — должность)", required=False,
                widget=forms.Textarea(attrs={"rows": 2}), max_length=10000,
            )
            if not self.is_bound:
                self.initial[attended_key] = {True: "yes", False: "no"}.get(invitation.attended, "")
                self.initial[people_key] = "\n".join(
                    f"{p.full_name} — {p.position}" if p.position else p.full_name for p in invitation.participants.all()
                )
            self.rows.append((invitation, self[attended_key], self[people_key]))

    def marks(self) -> dict[int, tuple[bool | None, str]]:
        result = {}
        for invitation, attended, people in self.rows:
            value = self.cleaned_data.get(attended.name)
            result[invitation.pk] = ({"yes": True, "no": False}.get(value), self.cleaned_data.get(people.name, ""))
        return result


class InvitePeopleForm(forms.Form):
    """Invite a whole group by name."""

    GROUPS = [
        (EventAttendee.Kind.TEACHER, "педагогов приглашённых школ (работающих, из реестра)"),
        (EventAttendee.Kind.MANAGEMENT, "управленческие команды приглашённых школ"),
        (EventAttendee.Kind.SPECIALIST, "специалистов приглашённых муниципалитетов"),
    ]
    group = forms.ChoiceField(label="Пригласить", choices=GROUPS, widget=forms.Select(attrs={"class": "form-select"}))
    subject = forms.ModelChoiceField(
        label="Только педагогов предмета", queryset=Subject.objects.none(), required=False, empty_label="все предметы",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, event: MethodicalEvent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects_of(event.region_id)


class AttendeeForm(forms.Form):
    """One person by name: a teacher of the registry, a member of a school's management team, a municipal
    specialist or another participant."""

    kind = forms.ChoiceField(label="Кто", choices=EventAttendee.Kind.choices)
    teacher = forms.ModelChoiceField(label="Педагог из реестра", queryset=Teacher.objects.none(), required=False)
    school = SchoolChoiceField(label="Школа", queryset=None, required=False)
    municipality = forms.ModelChoiceField(label="Муниципалитет", queryset=None, required=False)
    full_name = forms.CharField(label="ФИО", max_length=200, required=False, help_text="Для педагога из реестра — не нужно.")
    position = forms.CharField(label="Должность", max_length=200, required=False)

    def __init__(self, *args, user, event, **kwargs):
        super().__init__(*args, **kwargs)
        schools = event_schools(user, event.municipality_id)
        self.fields["school"].queryset = schools
        self.fields["municipality"].queryset = event_municipalities(user, event.municipality_id)
        self.fields["teacher"].queryset = (
            Teacher.objects.filter(school__in=schools, is_active=True).select_related("school").order_by("full_name")
        )


class PeopleAttendanceForm(forms.Form):
    """One row per person invited by name: took part or not, on a course also completed; each row remembers the
    version it was opened on, and a save over somebody else's newer mark is refused."""

    CHOICES = [("", "не отмечено"), ("yes", "да"), ("no", "нет")]
    VALUES = {"yes": True, "no": False}

    def __init__(self, *args, people, versions, course: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        labels = {True: "yes", False: "no"}
        for person in people:
            keys = (f"attended_{person.pk}", f"completed_{person.pk}", f"seen_{person.pk}")
            self.fields[keys[0]] = forms.ChoiceField(label=f"{person.full_name}: участие", choices=self.CHOICES, required=False)
            self.fields[keys[2]] = forms.IntegerField(widget=forms.HiddenInput, required=False)
            self.initial[keys[0]] = labels.get(person.attended, "")
            self.initial[keys[2]] = versions.get(person.pk, 0)
            if course:
                self.fields[keys[1]] = forms.ChoiceField(
                    label=f"{person.full_name}: прошёл(ла) обучение", choices=self.CHOICES, required=False
                )
                self.initial[keys[1]] = labels.get(person.completed, "")
            self.rows.append((person, self[keys[0]], self[keys[1]] if course else None, self[keys[2]]))

    def marks(self) -> dict[int, tuple[bool | None, bool | None, int | None]]:
        data = self.cleaned_data
        return {
            person.pk: (
                self.VALUES.get(data.get(attended.name)),
                self.VALUES.get(data.get(completed.name)) if completed is not None else None,
                data.get(seen.name),
            )
            for person, attended, completed, seen in self.rows
        }

    def reopen_on(self, current: dict) -> None:
        """After a refused save: the rows somebody else changed show what is stored now (and its version); the
        user's other marks stay, for a deliberate second save."""
        self.data = self.data.copy()
        labels = {True: "yes", False: "no", None: ""}
        for pk, (attended, completed, version) in current.items():
            self.data[f"attended_{pk}"] = labels[attended]
            if f"completed_{pk}" in self.fields:
                self.data[f"completed_{pk}"] = labels[completed]
            self.data[f"seen_{pk}"] = version


class SupportTargetForm(GuardedModelForm):
    """The targets of one territory for one school year; the territory and the year come from the page."""

    guards_creation = True

    class Meta:
        model = SupportTarget
        fields = ["agreements_per_year", "event_participation", "teacher_coverage", "basis"]
