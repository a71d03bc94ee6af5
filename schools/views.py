from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from shnor_portal import uploads
from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import xlsx_response

from . import school_page
from .access import can_edit_profiles, get_school_or_404, require_department
from .exports import registry_xlsx
from .filters import (
    STATUS_BOTH,
    STATUS_CURATOR,
    STATUS_NONE,
    STATUS_PREVENTIVE,
    STATUS_SHNOR,
    STATUS_SHNSU,
    current_school_year,
    registry_schools,
    school_year_label,
    status_counts,
)
from .forms import RegistryImportForm, SchoolYearProfileForm
from .models import IdentificationVerdict, Measure, SchoolResult, SchoolYearProfile, SchoolYearStatus
from .registry_import import (
    PROFILE_COLUMNS,
    SCHOOL_COLUMNS,
    registry_import_preview,
    registry_import_save,
    registry_template_xlsx,
)
from .services import ProfileRefused, profile_save

# The registry ------------------------------------------------------------------------------------------------------

# (filter value, label, key of `status_counts`, badge classes) for the counters above the table.
STATUS_COUNTERS = [
    (STATUS_SHNOR, "ШНОР", "shnor", "text-danger"),
    (STATUS_SHNSU, "ШНСУ", "shnsu", "text-warning-emphasis"),
    (STATUS_BOTH, "из них ШНОР и ШНСУ", "both", "text-danger"),
    (STATUS_PREVENTIVE, "профилактика", "preventive", "text-info-emphasis"),
    (STATUS_CURATOR, "кандидаты в кураторы", "curator", "text-success"),
    (STATUS_NONE, "не входят в перечень", "outside", "text-body-secondary"),
]


@login_required
def school_list(request):
    school_filter, schools = registry_schools(user=request.user, data=request.GET)
    # The filtered schools by status in one aggregate query, which also gives the paginator its count.
    counts = status_counts(schools)
    paging = page_of(request, schools, count=counts["total"])
    without_status = request.GET.copy()
    without_status.pop("page", None)
    without_status.pop("status", None)
    counters = []
    for value, label, key, css in STATUS_COUNTERS:
        link = without_status.copy()
        link["status"] = value
        counters.append(
            {
                "value": value,
                "label": label,
                "count": counts[key],
                "css": css,
                "query": link.urlencode(),
                "active": request.GET.get("status") == value,
            }
        )
    return render(
        request,
        "schools/school_list.html",
        {
            "filter": school_filter,
            **paging,
            "counts": counts,
            "counters": counters,
            "year": school_filter.chosen_year,
            "year_label": school_year_label(school_filter.chosen_year),
            "year_is_approved": school_filter.year_is_approved,
        },
    )


@login_required
def school_list_export(request):
    """The registry's filtered rows as xlsx: the same filters and the same scope as the page."""
    school_filter, schools = registry_schools(user=request.user, data=request.GET)
    content = registry_xlsx(schools, year=school_filter.chosen_year)
    return xlsx_response(content, file_name=f"reestr-shkol-{school_filter.chosen_year}.xlsx")


# The school page ---------------------------------------------------------------------------------------------------

PROFILE_ROWS = [
    "pupils",
    "graduates_9",
    "graduates_11",
    "pupils_on_register",
    "share_on_register",
    "pupils_left",
    "share_left",
    "share_low_income",
    "share_single_parent",
    "share_special_needs",
    "share_zpr",
    "share_parents_higher_education",
    "share_parents_educated",
    "share_difficult_situation",
    "remote_small_rural",
    "teachers",
    "vacancies",
    "share_vacancies",
    "teachers_under_35",
    "teachers_over_55",
    "teachers_highest_category",
    "teachers_first_category",
]
DERIVED_PROFILE_LABELS = {
    "share_on_register": "На учёте в КДН/ПДН на 100 обучающихся",
    "share_vacancies": "Доля вакансий педагогов, %",
    "share_left": "Выбыло за год на 100 обучающихся",
}

# The measures every school page leads with: ЕГЭ in Russian and profile mathematics.
KEY_SUBJECTS = [("russian", "Русский язык"), ("math_profile", "Математика профильная")]
METRIC_ORDER = [m.value for m in Measure.Metric]
EXAM_ORDER = [e.value for e in Measure.Exam]
SHARE_BELOW_MIN = "share_below_min"


def _profile_table(profiles: list[SchoolYearProfile]) -> list[dict]:
    rows = []
    for name in PROFILE_ROWS:
        values = [getattr(p, name) for p in profiles]
        if name in DERIVED_PROFILE_LABELS:
            label, derived = DERIVED_PROFILE_LABELS[name], True
        else:
            field = SchoolYearProfile._meta.get_field(name)
            label, derived = str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:], False
            if isinstance(field, BooleanField):
                values = [None if value is None else ("да" if value else "нет") for value in values]
        rows.append({"label": label, "derived": derived, "values": values})
    return rows


def _number(value):
    """A result as shown: counts without «,0», other values to two decimals."""
    if value is None:
        return None
    if float(value).is_integer():
        return int(value)
    return round(value, 2)


def _measure_parts(measure: Measure) -> tuple[str, str, str]:
    """(exam, subject code, metric) of a measure; the code is `<exam>-<subject>-<metric>` (see `schools.measures`)."""
    parts = measure.code.split("-")
    if len(parts) >= 3:
        return parts[0], "-".join(parts[1:-1]), parts[-1]
    return measure.exam, measure.subject, measure.metric


def _results(results: list[SchoolResult]) -> tuple[list[dict], list[dict], dict]:
    """The results by exam and subject as tables by year, key subjects first, and the data of the chart."""
    tables = [_result_table(key, group) for key, group in _result_groups(results).items()]
    tables.sort(key=lambda t: t["sort"])
    key_tables = [t for t in tables if t["is_key"]]
    other_tables = [t for t in tables if not t["is_key"]]
    return key_tables, other_tables, _results_chart(tables)


def _result_groups(results: list[SchoolResult]) -> dict[tuple[str, str], dict]:
    """(exam, subject) → the group's rows by metric (a plain value by measure), each with its values by year."""
    groups: dict[tuple[str, str], dict] = {}
    for result in results:
        measure = result.measure
        exam, subject_code, metric = _measure_parts(measure)
        key = (measure.exam, subject_code or measure.subject)
        group = groups.setdefault(
            key,
            {
                "exam": measure.get_exam_display(),
                "exam_code": measure.exam,
                "subject": measure.subject,
                "subject_code": subject_code,
                "rows": {},
                "years": set(),
            },
        )
        row_key = metric if metric != Measure.Metric.VALUE else f"value:{measure.pk}"
        row = group["rows"].setdefault(
            row_key,
            {
                "metric": metric,
                "label": measure.get_metric_display() if metric != Measure.Metric.VALUE else measure.name,
                "unit": measure.unit,
                "by_year": {},
            },
        )
        row["by_year"][result.year] = result.value
        group["years"].add(result.year)
    return groups


def _result_table(key: tuple[str, str], group: dict) -> dict:
    """One exam and subject as a table by year: its rows in the metrics' order, with the share below the minimum
    worked out where participants and those below it are known."""
    rows = group["rows"]
    participants = rows.get(Measure.Metric.PARTICIPANTS)
    below = rows.get(Measure.Metric.BELOW_MIN)
    if participants and below:
        rows[SHARE_BELOW_MIN] = {
            "metric": SHARE_BELOW_MIN,
            "label": "доля не преодолевших минимальный порог, %",
            "unit": "%",
            "derived": True,
            "by_year": {
                year: round(100 * below["by_year"][year] / participants["by_year"][year], 1)
                for year in group["years"]
                if participants["by_year"].get(year) and below["by_year"].get(year) is not None
            },
        }
    years = sorted(group["years"])
    order = {m: i for i, m in enumerate(METRIC_ORDER[:2] + [SHARE_BELOW_MIN] + METRIC_ORDER[2:])}
    ordered = sorted(rows.values(), key=lambda r: (order.get(r["metric"], len(order)), r["label"]))
    for row in ordered:
        row["values"] = [_number(row["by_year"].get(year)) for year in years]
        row["label"] = row["label"][:1].upper() + row["label"][1:]
    key_index = next(
        (i for i, (code, _name) in enumerate(KEY_SUBJECTS) if group["exam_code"] == "ege" and key[1] == code), None
    )
    return {
        "title": f"{group['exam']}: {group['subject']}" if group["subject"] else group["exam"],
        "years": years,
        "year_labels": [school_year_label(y) for y in years],
        "rows": ordered,
        "is_key": key_index is not None,
        "sort": (
            0 if key_index is not None else 1,
            key_index or 0,
            EXAM_ORDER.index(group["exam_code"]) if group["exam_code"] in EXAM_ORDER else len(EXAM_ORDER),
            group["subject"],
        ),
        "_rows_by_metric": rows,
        "_subject_code": key[1],
    }


def _results_chart(tables: list[dict]) -> dict | None:
    """The chart of the key subjects: mean score and share below the minimum by year (None when there is nothing)."""
    chart_years = sorted({year for t in tables if t["is_key"] for year in t["years"]})
    series = []
    for code, name in KEY_SUBJECTS:
        table = next((t for t in tables if t["is_key"] and t["_subject_code"] == code), None)
        if not table:
            continue
        for metric, label, axis in (
            (Measure.Metric.MEAN_SCORE, f"{name}: средний балл", "score"),
            (SHARE_BELOW_MIN, f"{name}: не преодолели минимум, %", "share"),
        ):
            row = table["_rows_by_metric"].get(metric)
            if row and row["by_year"]:
                series.append(
                    {
                        "label": label,
                        "axis": axis,
                        "subject": code,
                        "data": [row["by_year"].get(y) for y in chart_years],
                    }
                )
    return {"years": [school_year_label(y) for y in chart_years], "series": series} if series else None


def _explanation(verdict: IdentificationVerdict, run) -> dict:
    """The verdict's explanation as the template reads it, whatever shape another version of it stored."""
    explanation = verdict.explanation
    if not isinstance(explanation, dict):
        return {"text": str(explanation) if explanation else "", "criteria": []}
    return {**explanation, "text": verdict.explanation_text(run), "criteria": verdict.low_criteria(run)}


@login_required
def school_detail(request, pk):
    school = get_school_or_404(request.user, pk)
    cluster = school.cluster  # one query; the access helper joins the municipality and region only
    profiles = list(SchoolYearProfile.objects.filter(school=school).order_by("year"))
    results = list(SchoolResult.objects.filter(school=school).select_related("measure").order_by("year"))
    # Not the run's packed inputs: megabytes at a country's scale, read by nobody here.
    statuses = list(
        SchoolYearStatus.objects.filter(school=school).select_related("run").defer("run__inputs").order_by("-year")
    )
    verdicts = {
        v.run_id: v
        for v in IdentificationVerdict.objects.filter(
            school=school, run_id__in=Subquery(SchoolYearStatus.objects.filter(school=school).values("run_id"))
        )
    }
    verdict_rows = []
    for status in statuses:
        verdict = verdicts.get(status.run_id)
        verdict_rows.append(
            {
                "status": status,
                "year_label": school_year_label(status.year),
                "verdict": verdict,
                "explanation": _explanation(verdict, status.run) if verdict else None,
            }
        )
    key_tables, other_tables, chart = _results(results)
    may_edit = can_edit_profiles(request.user, school)
    have_years = {p.year for p in profiles}
    this_year = current_school_year()
    new_profile_years = [y for y in range(this_year, this_year - 5, -1) if y not in have_years] if may_edit else []
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "cluster": cluster,
            "profiles": profiles,
            "profile_years": [(p.year, school_year_label(p.year)) for p in profiles],
            "profile_rows": _profile_table(profiles),
            "new_profile_years": [(y, school_year_label(y)) for y in new_profile_years],
            "may_edit_profiles": may_edit,
            "key_tables": key_tables,
            "other_tables": other_tables,
            "chart": chart,
            "verdict_rows": verdict_rows,
            "latest_status": statuses[0] if statuses else None,
            **school_page.parts_of(school),
        },
    )


PROFILE_YEAR_MIN = 2000


@login_required
def profile_edit(request, pk, year):
    """A school's profile for one year, created on first save; for the department and the municipality's coordinator."""
    school = get_school_or_404(request.user, pk)
    if not can_edit_profiles(request.user, school):
        raise PermissionDenied("Профиль школы изменяют управление образования и координатор её муниципалитета.")
    if not PROFILE_YEAR_MIN <= year <= current_school_year() + 1:
        raise Http404("Нет такого учебного года.")
    profile = SchoolYearProfile.objects.filter(school=school, year=year).first()
    is_new = profile is None
    form = SchoolYearProfileForm(request.POST or None, instance=profile or SchoolYearProfile(school=school, year=year))
    if request.method == "POST" and form.is_valid():
        try:
            profile_save(form=form, actor=request.user)
        except ProfileRefused as refusal:
            form.add_error(None, str(refusal))
            form.reopen_on_current_version()
        else:
            messages.success(request, f"Профиль школы за {school_year_label(year)} учебный год сохранён.")
            return redirect(reverse("schools:detail", args=[school.pk]) + "#profile")
    return render(
        request,
        "schools/profile_form.html",
        {"school": school, "form": form, "year": year, "year_label": school_year_label(year), "is_new": is_new},
    )


# Import from the portal's template ---------------------------------------------------------------------------------


REGISTRY_UPLOAD = "registry"  # the kind of the held upload (`shnor_portal.uploads`)


@login_required
def registry_import_page(request):
    require_department(request.user)
    form = RegistryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads.hold(request, REGISTRY_UPLOAD, form.cleaned_data["file"])
        return redirect("schools:registry_import_preview")
    return render(
        request,
        "schools/registry_import.html",
        {
            "form": form,
            "school_columns": SCHOOL_COLUMNS,
            "profile_columns": PROFILE_COLUMNS,
            "max_size": uploads.upload_limit_label(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registry_import_preview_page(request):
    """The held file checked again against the registry as it is now; saved when the department confirms."""
    require_department(request.user)
    upload = uploads.held(request, REGISTRY_UPLOAD)
    if upload is None:
        messages.info(request, "Сначала загрузите заполненный шаблон реестра.")
        return redirect("schools:registry_import")
    preview = registry_import_preview(upload.read(), actor=request.user)
    if not preview.ok:
        # A file with errors can never be confirmed: it is not kept (the page still lists its errors).
        uploads.discard(request, REGISTRY_UPLOAD)
    if request.method == "POST" and preview.ok and preview.has_changes:
        result = registry_import_save(preview=preview, actor=request.user)
        uploads.discard(request, REGISTRY_UPLOAD)
        messages.success(request, f"Файл «{upload.name}»: {result.summary}")
        return redirect("schools:registry_import")
    return render(request, "schools/registry_preview.html", {"preview": preview, "file_name": upload.name})


@login_required
def registry_template(request):
    require_department(request.user)
    return xlsx_response(registry_template_xlsx(actor=request.user), file_name="shablon-reestra-shkol.xlsx")
