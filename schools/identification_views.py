from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import xlsx_response

from .access import (
    can_approve_run,
    can_edit_criteria,
    can_read_identification,
    can_start_runs,
    can_take_part_in_list,
    can_view_criteria,
    department_runs,
    district_run_municipalities,
    get_department_run_or_404,
    get_run_or_404,
    readable_regions,
    require,
    visible_runs,
    visible_schools,
    working_region,
)
from .exports import run_xlsx
from .forms import VerdictSearchForm
from .identification import (
    IdentificationError,
    approved_run_ids,
    criteria_ensure_for_year,
    run_start,
    runs_compare,
)
from .list_views import ApproveForm, render_preflight
from .models import Criterion, IdentificationRun, IdentificationSettings, Status
from .school_year import current_school_year, school_year_label
from .selection import LISTED, list_approve, summary_for_page
from .tasks import run_enqueue, run_retry, runs_mark_interrupted
from .verdicts import Parameters

# Schools on the list first (both, then ШНОР, then ШНСУ), the rest after.
LISTED_FIRST = Case(
    When(status=Status.BOTH, then=Value(0)),
    When(status=Status.SHNOR, then=Value(1)),
    When(status=Status.SHNSU, then=Value(2)),
    default=Value(3),
)
STATUS_COUNTERS = [
    (Status.BOTH, "ШНОР и ШНСУ"),
    (Status.SHNOR, "только ШНОР"),
    (Status.SHNSU, "только ШНСУ"),
    (Status.NONE, "не входят в перечень"),
    (Status.NO_DATA, "недостаточно данных"),
]
# (the aggregate's key, the filter's value, the label)
FLAG_COUNTERS = [("on_watch", "watch", "на контроле"), ("objectivity", "objectivity", "признаки необъективности ВПР")]


class RunStartForm(forms.Form):
    year = forms.IntegerField(
        label="Учебный год перечня", min_value=2000, max_value=2100,
        help_text="Год окончания учебного года: 2027 — перечень на 2026/27 учебный год.",
    )
    oip_threshold = forms.FloatField(label="Порог ОИП", min_value=0, max_value=100)
    social_threshold = forms.FloatField(label="Порог индекса социального благополучия", min_value=0, max_value=100)
    window_years = forms.IntegerField(label="Окно, лет", min_value=1, max_value=10)
    min_low_years = forms.IntegerField(label="Низких лет в окне", min_value=1, max_value=10)
    min_result_years = forms.IntegerField(
        label="Лет с результатами для решения ШНОР", min_value=1, max_value=10,
        help_text="При меньшем числе — «недостаточно данных», при низких результатах — «на контроле».",
    )
    index_scale = forms.ChoiceField(label="Шкала ОИП", choices=IdentificationSettings._meta.get_field("index_scale").choices)
    preventive_drop = forms.FloatField(label="Падение ОИП для профилактики", min_value=0, max_value=100)
    preventive_margin = forms.FloatField(label="Запас над порогом для профилактики", min_value=0, max_value=100)
    curator_threshold = forms.FloatField(label="ОИП кандидата в кураторы", min_value=0, max_value=100)
    note = forms.CharField(label="Комментарий", max_length=300, required=False)

    def __init__(self, *args, region, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region  # the run covers this region's schools (issue 20)
        if districts is not None:  # a district's department: its own list, where the region allows
            self.fields["municipality"] = forms.ModelChoiceField(
                label="Район", queryset=districts, empty_label=None,
                help_text="Свой перечень района: школы района сравниваются между собой, по критериям региона.",
            )
            self.order_fields(["municipality"])

    def clean(self):
        data = super().clean()
        if data.get("min_low_years") and data.get("window_years") and data["min_low_years"] > data["window_years"]:
            self.add_error("min_low_years", "Низких лет не может быть больше, чем лет в окне.")
        if data.get("min_result_years") and data.get("window_years") and data["min_result_years"] > data["window_years"]:
            self.add_error("min_result_years", "Лет с результатами не может быть больше, чем лет в окне.")
        return data

    def parameters(self) -> Parameters:
        data = dict(self.cleaned_data)
        data.pop("note")
        data.pop("municipality", None)
        # The ВПР lines are the year's settings (back office), not the form's.
        return Parameters(
            **data, objectivity=IdentificationSettings.parameters_for(self.region.pk, data["year"]).objectivity
        )


class VerdictFilterForm(VerdictSearchForm):
    field_order = ["q", "status", "municipality", "flag"]
    status = forms.ChoiceField(
        label="Решение", required=False, choices=[("", "Все"), ("listed", "В перечне (ШНОР или ШНСУ)"), *Status.choices]
    )
    flag = forms.ChoiceField(
        label="Отметка",
        required=False,
        choices=[
            ("", "Любая"),
            ("preventive", "Профилактика"),
            ("curator", "Кандидат в кураторы"),
            ("watch", "На контроле"),
            ("objectivity", "Признаки необъективности ВПР"),
        ],
    )

    def filter(self, verdicts):
        if not self.is_valid():
            return verdicts
        data = self.cleaned_data
        verdicts = self.search(verdicts)
        if data["status"] == "listed":
            verdicts = verdicts.filter(status__in=LISTED)
        elif data["status"]:
            verdicts = verdicts.filter(status=data["status"])
        if data["flag"] == "preventive":
            verdicts = verdicts.filter(preventive=True)
        elif data["flag"] == "curator":
            verdicts = verdicts.filter(curator_candidate=True)
        elif data["flag"] == "watch":
            verdicts = verdicts.filter(on_watch=True)
        elif data["flag"] == "objectivity":
            verdicts = verdicts.filter(objectivity_flag=True)
        return verdicts


@login_required
def identification_list(request):
    require(can_read_identification(request.user), "Роль на портале вам ещё не назначена.")
    runs_mark_interrupted()
    year = current_school_year()
    form = None
    if can_start_runs(request.user):
        region = working_region(request.user, request.GET.get("region"))
        form = RunStartForm(
            initial={**IdentificationSettings.parameters_for(region.pk, year).__dict__}, region=region,
            districts=_districts(request.user, region),
        )
    return _render_list(request, form)


def _districts(user, region):
    """The districts a district's department may start its own run for; None for the region's department."""
    return None if can_edit_criteria(user, region) else district_run_municipalities(user).filter(region=region)


def _render_list(request, form, status=200):
    paging = page_of(request, visible_runs(request.user).defer("inputs"))
    year = current_school_year()
    if form is not None and form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
    return render(
        request,
        "schools/identification_list.html",
        {
            **paging, "form": form, "in_force": approved_run_ids(), "criteria_year": year,
            "can_form_list": can_take_part_in_list(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def identification_start(request):
    require(can_start_runs(request.user), "Идентификацию запускает управление образования региона.")
    region = working_region(request.user, request.POST.get("region"))
    form = RunStartForm(request.POST, region=region, districts=_districts(request.user, region))
    if not form.is_valid():
        return _render_list(request, form, status=400)
    district = form.cleaned_data.get("municipality")
    if district is not None:
        year = form.cleaned_data["year"]
        require(
            district_run_municipalities(request.user, year).filter(pk=district.pk).exists(),
            f"Регион не разрешил районам формировать свои перечни на {school_year_label(year)} учебный год.",
        )
    try:
        with transaction.atomic():  # the run and its task in the queue together
            run = run_start(
                region_id=form.region.pk, year=form.cleaned_data["year"], actor=request.user, parameters=form.parameters(),
                note=form.cleaned_data["note"], municipality_id=district.pk if district else None,
            )
            run_enqueue(run)
    except IdentificationError as error:
        messages.error(request, str(error))
        return redirect("schools:identification")
    messages.info(request, f"Идентификация на {run.year_label} учебный год запущена.")
    return redirect("schools:run_detail", pk=run.pk)


def _verdict_rows(request, run):
    verdicts = run.verdicts.filter(school__in=visible_schools(request.user)).select_related("school__municipality")
    form = VerdictFilterForm(request.GET or None, user=request.user)
    return form, form.filter(verdicts)


@login_required
def run_detail(request, pk):
    runs_mark_interrupted()
    run = get_run_or_404(request.user, pk)
    form, verdicts = _verdict_rows(request, run)
    counts = dict(verdicts.order_by().values_list("status").annotate(n=Count("pk")))
    flags = verdicts.aggregate(
        on_watch=Count("pk", filter=Q(on_watch=True)), objectivity=Count("pk", filter=Q(objectivity_flag=True))
    )
    paging = page_of(request, verdicts.order_by(LISTED_FIRST, "oip", "school__short_name"))
    other_runs = []
    if can_start_runs(request.user):
        other_runs = department_runs(request.user).filter(state=IdentificationRun.State.DONE).exclude(pk=run.pk)[:20]
    return render(
        request,
        "schools/identification_run.html",
        {
            "run": run,
            "form": form,
            **paging,
            "counts": [(label, counts.get(value, 0), value) for value, label in STATUS_COUNTERS],
            "flag_counts": [(label, flags[key], value) for key, value, label in FLAG_COUNTERS],
            "summary": summary_for_page(run),
            "may_see_list": can_take_part_in_list(request.user) and run.state == IdentificationRun.State.DONE,
            "in_force": run.pk in approved_run_ids(),
            "other_runs": other_runs,
            "can_approve": can_approve_run(request.user, run),
            "can_retry": can_start_runs(request.user),
        },
    )


@login_required
def run_export(request, pk):
    """The run's table, filtered as on the page and scoped to the user, as xlsx."""
    run = get_run_or_404(request.user, pk)
    _form, verdicts = _verdict_rows(request, run)
    content = run_xlsx(verdicts.order_by(LISTED_FIRST, "oip", "school__short_name"), title=f"Идентификация {run.year}")
    return xlsx_response(content, file_name=f"identifikaciya-{run.year}-zapusk-{run.pk}.xlsx")


@login_required
def run_progress(request, pk):
    runs_mark_interrupted()  # a run whose worker died stops spinning: it is marked failed
    run = get_run_or_404(request.user, pk)
    response = render(request, "schools/_run_progress.html", {"run": run, "can_retry": can_start_runs(request.user)})
    if run.state in (IdentificationRun.State.DONE, IdentificationRun.State.FAILED) and request.htmx:
        response["HX-Refresh"] = "true"  # show the finished table
    return response


@login_required
@require_POST
def run_retry_view(request, pk):
    """«Запустить снова»: a failed run (its worker died, or the computation failed) is queued again, from the start."""
    run = get_department_run_or_404(request.user, pk)
    if run_retry(run):
        messages.success(request, f"Запуск № {run.pk} снова поставлен в очередь.")
    else:
        messages.info(request, f"Запуск № {run.pk} не завершился ошибкой — запускать его снова не нужно.")
    return redirect("schools:run_detail", pk=run.pk)


@login_required
@require_POST
def run_approve_view(request, pk):
    """The approval from the preflight page: the order's number and date and the confirmation are required."""
    run = get_department_run_or_404(request.user, pk)
    require(can_approve_run(request.user, run), "Утвердить можно только завершённый запуск.")
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return render_preflight(request, run, form, status=400)
    try:
        count = list_approve(
            run=run, actor=request.user, order_number=form.cleaned_data["order_number"],
            order_date=form.cleaned_data["order_date"],
        )  # fmt: skip
    except IdentificationError as error:
        messages.error(request, str(error))
        return redirect("schools:selection_approve", pk=run.pk)
    run.refresh_from_db(fields=["approved_at", "order_date"])
    messages.success(request, f"Утверждён {run.list_name}: статусы установлены для {count} школ.")
    return redirect("schools:selection", pk=run.pk)


@login_required
def run_compare(request, pk):
    new = get_department_run_or_404(request.user, pk)
    old = get_department_run_or_404(request.user, request.GET.get("other") or 0)
    difference = runs_compare(old=old, new=new, schools=visible_schools(request.user))
    return render(request, "schools/identification_compare.html", {"old": old, "new": new, **difference})


@login_required
def criteria_list(request, year):
    require(can_view_criteria(request.user), "Критерии читают управление образования и координаторы.")
    region = working_region(request.user, request.GET.get("region") or request.POST.get("region"))
    if region is None:
        raise Http404
    own = Criterion.objects.filter(region=region)
    criteria = own.filter(year=year).select_related("measure", "per_measure")
    may_create = can_edit_criteria(request.user, region)
    if may_create and request.method == "POST":
        criteria_ensure_for_year(region_id=region.pk, year=year)
        messages.success(request, f"Критерии на {school_year_label(year)} учебный год созданы: скопированы с прошлого года или по умолчанию.")
        return redirect(f"{reverse('schools:criteria', args=[year])}?region={region.pk}")
    years = own.order_by("-year").values_list("year", flat=True).distinct()
    return render(
        request,
        "schools/criteria_list.html",
        {
            "year": year, "criteria": criteria, "years": years, "region": region, "may_create": may_create,
            "regions": readable_regions(request.user), "parameters": IdentificationSettings.parameters_for(region.pk, year),
            # what the acts of the register approve here: the criteria of this region's year
            "criteria_of_year": SimpleNamespace(pk=year, year=year, region=region),
        },
    )

