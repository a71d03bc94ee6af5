from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from shnor_portal.uploads import CellError, XlsxFileField

from .access import creatable_municipalities, creatable_regions, creatable_schools, mutual_reviewer_schools
from .deadlines import MONTH_NAMES, Deadline, read_deadline
from .files import EvidenceRefused, evidence_sniff
from .models import (
    MAX_PERIOD_YEARS,
    PLAN_TEXT_MAX,
    YEAR_MAX,
    YEAR_MIN,
    MeasureStatus,
    Programme,
    Review,
    RoadmapMeasure,
    number_label,
    plan_label,
    plan_value_parse,
)
from .region_lists import in_risk_factors_of, risk_factors_of
from .services import MeasureData

PLAN_HELP = "Число или запись из документа: «4», «не менее 3», «1/4»."


class PlanValueField(forms.CharField):
    """A planned value as people write it; cleans to (number or None, text as written)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", PLAN_TEXT_MAX)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return plan_value_parse(text)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def prepare_value(self, value):
        if isinstance(value, tuple):
            return plan_label(*value)
        return value


class DeadlineField(forms.CharField):
    """A measure's deadline typed as the documents write it — «15.05.2026», «май 2026», «сентябрь, октябрь, ноябрь
    2026», «в течение 2026 года» — read by the same reader as the roadmap import; cleans to a Deadline or None."""

    def __init__(self, *, default_year: int | None = None, **kwargs):
        self.default_year = default_year
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value):
        if isinstance(value, Deadline):  # a disabled field gives back its initial value
            return value
        text = super().clean(value)
        try:
            return read_deadline(text, default_year=self.default_year)
        except CellError as exc:
            message = str(exc)
            raise ValidationError(message[:1].upper() + message[1:] + ".") from exc

    def prepare_value(self, value):
        if isinstance(value, Deadline):
            return value.label
        return value

    def has_changed(self, initial, data):
        try:
            return self.clean(data) != initial
        except ValidationError:
            return True


def deadline_options(programme: Programme) -> list[str]:
    """What the deadline field suggests: every month and «в течение … года» of the programme's years."""
    options = []
    for year in programme.years:
        options.extend(f"{month} {year}" for month in MONTH_NAMES)
        options.append(f"в течение {year} года")
    return options


def _active_risk_factors(region_ids, current=None):
    """The risk factors of the programme's region's list (`programs.region_lists`), with the one the row holds."""
    return risk_factors_of(region_ids, current)


def _period_errors(start, end) -> dict:
    if start and end:
        if start > end:
            return {"period_end": "Последний год не может быть раньше первого."}
        if end - start + 1 > MAX_PERIOD_YEARS:
            return {"period_end": f"Срок программы — не больше {MAX_PERIOD_YEARS} лет."}
    return {}


class ProgrammeCreateForm(forms.Form):
    kind = forms.ChoiceField(label="Вид программы")
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=None, required=False, help_text="Для муниципальной программы."
    )
    school = forms.ModelChoiceField(label="Школа", queryset=None, required=False, help_text="Для школьной программы.")
    region = forms.ModelChoiceField(
        label="Регион", queryset=None, required=False, help_text="Для регионального плана-графика."
    )
    risk_factor = forms.ModelChoiceField(
        label="Фактор риска", queryset=None, required=False, help_text="Обязателен для антирисковой программы."
    )
    title = forms.CharField(label="Наименование", max_length=500)
    period_start = forms.IntegerField(label="Первый год", min_value=YEAR_MIN, max_value=YEAR_MAX)
    period_end = forms.IntegerField(label="Последний год", min_value=YEAR_MIN, max_value=YEAR_MAX)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = creatable_municipalities(user)
        schools = creatable_schools(user)
        regions = creatable_regions(user)
        self.fields["municipality"].queryset = municipalities
        self.fields["school"].queryset = schools
        self.fields["region"].queryset = regions
        region_ids = set(municipalities.values_list("region_id", flat=True))
        region_ids |= set(schools.values_list("municipality__region_id", flat=True))
        self.fields["risk_factor"].queryset = _active_risk_factors(region_ids)
        kinds = []
        if municipalities.exists():
            kinds.append(Programme.Kind.MUNICIPAL)
        if schools.exists():
            kinds.extend(Programme.SCHOOL_KINDS)
        if regions.exists():
            kinds.append(Programme.Kind.REGIONAL)
            if regions.count() == 1:
                self.fields["region"].initial = regions.first()
        self.fields["kind"].choices = [(k.value, k.label.capitalize()) for k in kinds]
        if kinds and kinds[0] != Programme.Kind.MUNICIPAL:
            self.fields["kind"].initial = Programme.Kind.TRANSITION
        if municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()
        if schools.count() == 1:
            self.fields["school"].initial = schools.first()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        errors = _period_errors(data.get("period_start"), data.get("period_end"))
        if kind == Programme.Kind.MUNICIPAL and not data.get("municipality"):
            errors["municipality"] = "Выберите муниципалитет."
        if kind in Programme.SCHOOL_KINDS and not data.get("school"):
            errors["school"] = "Выберите школу."
        if kind == Programme.Kind.REGIONAL and not data.get("region"):
            errors["region"] = "Выберите регион."
        if kind == Programme.Kind.ANTI_RISK and not data.get("risk_factor"):
            errors["risk_factor"] = "Антирисковая программа преодолевает один фактор риска: выберите его."
        owner = data.get("school") if kind in Programme.SCHOOL_KINDS else data.get("municipality")
        if owner is not None and data.get("risk_factor") and "risk_factor" not in errors:
            region_id = owner.region_id if kind == Programme.Kind.MUNICIPAL else owner.municipality.region_id
            if not in_risk_factors_of(region_id, data["risk_factor"]):
                errors["risk_factor"] = "Этого фактора нет в списке факторов риска территории программы."
        for name, message in errors.items():
            self.add_error(name, message)
        return data


class PassportForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    web_address = forms.URLField(label="Адрес размещения в интернете", required=False, assume_scheme="https")

    class Meta:
        model = Programme
        fields = [
            "title",
            "period_start",
            "period_end",
            "preparation_from",
            "risk_factor",
            "goal",
            "tasks",
            "curator",
            "responsible_executor",
            "executors",
            "web_address",
        ]
        widgets = {
            "preparation_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "tasks": forms.Textarea(attrs={"rows": 5}),
            "executors": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_factor"].queryset = _active_risk_factors(
            self.instance.territory_region_id, self.instance.risk_factor
        )
        self.fields["version"].initial = self.instance.version
        if self.instance.kind != Programme.Kind.ANTI_RISK:
            self.fields["risk_factor"].help_text = "Необязательно: главный фактор риска, на который направлена программа."

    def clean(self):
        data = super().clean()
        for name, message in _period_errors(data.get("period_start"), data.get("period_end")).items():
            self.add_error(name, message)
        return data

    def _post_clean(self):
        # The service validates the model after checking the version; don't touch the instance here.
        pass

    def passport_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SectionForm(forms.Form):
    title = forms.CharField(
        label="Задача", max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "autofocus": True})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MeasureForm(forms.Form):
    """A measure on one form; the plan fields are read-only while the plan is locked."""

    name = forms.CharField(label="Мероприятие", max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "autofocus": True}))
    result_name = forms.CharField(
        label="Наименование результата", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.CharField(label="Единица измерения", max_length=60, required=False)
    planned = PlanValueField(label="Плановое значение, всего", help_text=PLAN_HELP)
    executors = forms.CharField(label="Исполнители", max_length=500, required=False)
    deadline = DeadlineField(label="Срок")
    status = forms.ChoiceField(label="Статус", choices=MeasureStatus.choices)
    risk_factor = forms.ModelChoiceField(label="Фактор риска", queryset=None, required=False)
    note = forms.CharField(label="Примечание", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    PLAN_FIELDS = ("name", "result_name", "unit", "planned", "executors", "deadline", "risk_factor")

    def __init__(self, *args, programme: Programme, measure: RoadmapMeasure | None = None, plan_locked=False, **kwargs):
        self.programme = programme
        self.measure = measure
        self.plan_locked = plan_locked
        years = {row.year: row for row in measure.years.all()} if measure and measure.pk else {}
        initial = kwargs.pop("initial", None) or {}
        if measure is not None and measure.pk:
            initial = {
                "name": measure.name,
                "result_name": measure.result_name,
                "unit": measure.unit,
                "planned": measure.planned_label,
                "executors": measure.executors,
                "deadline": measure.due,
                "status": measure.status,
                "risk_factor": measure.risk_factor_id,
                "note": measure.note,
                "version": measure.version,
                **initial,
            }
            for year, row in years.items():
                initial[f"plan_{year}"] = row.planned_label
                initial[f"fact_{year}"] = f"{row.actual_value.normalize():f}" if row.actual_value is not None else None
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["risk_factor"].queryset = _active_risk_factors(
            programme.territory_region_id, measure.risk_factor if measure else None
        )
        for year in programme.years:
            self.fields[f"plan_{year}"] = PlanValueField(label=f"План {year}")
            self.fields[f"fact_{year}"] = forms.DecimalField(
                label=f"Факт {year}", required=False, min_value=Decimal(0), max_digits=12, decimal_places=2,
                error_messages={"min_value": "Фактическое значение не может быть отрицательным."},
            )
        if plan_locked:
            for name in self.PLAN_FIELDS + tuple(f"plan_{y}" for y in programme.years):
                self.fields[name].disabled = True
            # the keyboard's focus goes to the first field that can change, not to the locked name
            self.fields["name"].widget.attrs.pop("autofocus", None)
            self.fields["status"].widget.attrs["autofocus"] = True
        deadline = self.fields["deadline"]
        deadline.default_year = programme.period_start if programme.period_start == programme.period_end else None
        self.deadline_options_id = f"deadline-options-{measure.pk if measure and measure.pk else 'new'}"
        self.deadline_options = deadline_options(programme)
        deadline.widget.attrs.update(
            {"list": self.deadline_options_id, "autocomplete": "off", "placeholder": f"май {programme.period_start}"}
        )
        year = programme.period_start
        deadline.help_text = (
            f"Дата («15.05.{year}»), месяц («май {year}»), несколько месяцев («сентябрь, октябрь, ноябрь {year}») "
            f"или «в течение {year} года» — в пределах срока программы, {programme.period_label}."
        )

    @property
    def year_rows(self):
        return [(year, self[f"plan_{year}"], self[f"fact_{year}"]) for year in self.programme.years]

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if error := self.programme.deadline_error(deadline):
            raise ValidationError(error)
        return deadline

    def measure_data(self) -> MeasureData:
        data = self.cleaned_data
        planned_value, planned_text = data.get("planned") or (None, "")
        years = {}
        for year in self.programme.years:
            plan_value, plan_text = data.get(f"plan_{year}") or (None, "")
            years[year] = {
                "planned_value": plan_value,
                "planned_text": plan_text,
                "actual_value": data.get(f"fact_{year}"),
            }
        return MeasureData(
            name=data["name"],
            result_name=data.get("result_name", ""),
            unit=data.get("unit", ""),
            planned_value=planned_value,
            planned_text=planned_text,
            executors=data.get("executors", ""),
            due=data.get("deadline"),
            status=data["status"],
            risk_factor=data.get("risk_factor"),
            note=data.get("note", ""),
            years=years,
        )


def current_values(measure: RoadmapMeasure) -> list[tuple[str, str]]:
    """The saved values of a measure, to show a user whose save was refused as stale."""
    years = {row.year: row for row in measure.years.all()}
    values = [
        ("Мероприятие", measure.name),
        ("Результат", measure.result_name),
        ("Плановое значение", measure.planned_label),
        ("Исполнители", measure.executors),
        ("Срок", measure.deadline_label),
        ("Статус", measure.get_status_display()),
    ]
    for year, row in sorted(years.items()):
        values.append((f"{year}: план / факт", f"{row.planned_label or '—'} / {number_label(row.actual_value) or '—'}"))
    if measure.note:
        values.append(("Примечание", measure.note))
    return [(label, value or "—") for label, value in values]


class EvidenceForm(forms.Form):
    title = forms.CharField(
        label="Документ", max_length=300, required=False,
        widget=forms.TextInput(attrs={"placeholder": "Приказ № 45 от 12.09.2025"}),
        help_text="Пусто — по имени файла.",
    )
    file = forms.FileField(label="Файл")

    def clean_file(self):
        file = self.cleaned_data["file"]
        try:
            evidence_sniff(file)
        except EvidenceRefused as exc:
            raise ValidationError(str(exc)) from exc
        return file


class ImportForm(forms.Form):
    file = XlsxFileField(label="Файл дорожной карты (.xlsx)")


REVIEW_ANSWERS = [("", "не оценено"), ("yes", "соответствует"), ("no", "не соответствует")]


class ReviewForm(forms.Form):
    ACTION_SAVE = "save"
    ACTION_COMPLETE = "complete"

    verdict = forms.ChoiceField(
        label="Решение", required=False, widget=forms.RadioSelect,
        choices=[(v.value, v.label.capitalize()) for v in Review.Verdict],
    )
    remarks = forms.CharField(
        label="Замечания", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Обязательны, если программа возвращается на доработку: что и где исправить.",
    )

    def __init__(self, *args, review: Review, **kwargs):
        self.review = review
        self.check_rows = list(review.checks.all())
        initial = {"remarks": review.remarks, "verdict": review.verdict}
        for check in self.check_rows:
            initial[f"check_{check.criterion_id}"] = "" if check.met is None else ("yes" if check.met else "no")
            initial[f"comment_{check.criterion_id}"] = check.comment
        super().__init__(*args, initial=initial, **kwargs)
        for check in self.check_rows:
            self.fields[f"check_{check.criterion_id}"] = forms.ChoiceField(
                label=check.criterion.name, choices=REVIEW_ANSWERS, required=False, widget=forms.RadioSelect
            )
            self.fields[f"comment_{check.criterion_id}"] = forms.CharField(
                label="Комментарий", required=False, max_length=1000
            )

    @property
    def checklist(self):
        return [
            (check, self[f"check_{check.criterion_id}"], self[f"comment_{check.criterion_id}"])
            for check in self.check_rows
        ]

    def checks(self) -> dict[int, tuple[bool | None, str]]:
        answers = {"yes": True, "no": False, "": None}
        return {
            check.criterion_id: (
                answers[self.cleaned_data.get(f"check_{check.criterion_id}", "")],
                self.cleaned_data.get(f"comment_{check.criterion_id}", ""),
            )
            for check in self.check_rows
        }

    def validate_for_completion(self) -> bool:
        verdict = self.cleaned_data.get("verdict")
        if not verdict:
            self.add_error("verdict", "Выберите решение: принять или вернуть на доработку.")
        elif verdict == Review.Verdict.RETURNED and not self.cleaned_data.get("remarks", "").strip():
            self.add_error("remarks", "Чтобы вернуть программу на доработку, напишите замечания: что исправить.")
        return not self.errors


class MutualReviewForm(forms.Form):
    school = forms.ModelChoiceField(label="Школа-эксперт", queryset=None, empty_label="— выберите школу —")

    def __init__(self, *args, user, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        from .route_steps import first_step_of_kind  # the route's mutual step says whose schools

        self.fields["school"].queryset = mutual_reviewer_schools(user, programme, first_step_of_kind(programme, "mutual"))
