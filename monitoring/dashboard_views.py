"""Dashboards of the year and the yearly report's export. Thin views: the figures come from `monitoring.figures`
(the same the report writes), scope from `monitoring.access`, the export job from `monitoring.yearly_report`."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from schools.models import Region
from schools.school_year import current_school_year, school_year_label
from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import xlsx_response, xlsx_write_typed
from shnor_portal.stored_files import download_response

from .access import (
    can_compare_regions,
    can_export_report,
    can_see_dashboard,
    dashboard_municipalities,
    get_report_export_or_404,
    require,
    visible_report_exports,
)
from .figure_links import FigureLinks, sections
from .figures import FIGURES, dynamics_charts
from .filters import year_choices
from .models import YEAR_MIN, ReportExport
from .regions import RegionLinks, approval_label, chart, columns, region_figures, regions_sheet
from .summaries import dashboard_figures, figures_read
from .tasks import exports_mark_interrupted, report_export_retry, report_export_start
from .yearly_report import ReportError

MUNICIPALITIES_PER_PAGE = 50
NOT_FOR_YOU = "Панель мониторинга и годовой отчёт — для координаторов и управления образования."
# The figures shown side by side on the department's dashboard (all of them are in the report), in groups: the
# nineteen columns did not fit a screen (2,334 px in a box of 1,116 at 1366 px), so the table shows one group at a
# time beside the municipality column, and every cell stays in the page for the others (issue 19, item 7).
OVERVIEW_GROUPS = [
    ("list", "Перечень", ["schools", "shnor", "shnsu", "both"]),
    ("programmes", "Программы и дорожные карты", [
        "with_programme_share", "accepted_share", "measures_done_share", "measures_overdue",
    ]),
    ("support", "Сопровождение", ["agreements_signed", "sessions", "events_share"]),
    ("teachers", "Педагоги и практики", ["plan_share", "tutor_share", "practices", "downloads"]),
    ("monitoring", "Самооценка и показатели", ["sa_missing", "sa_returned", "indicators_met", "indicators_not_met"]),
]  # fmt: skip
OVERVIEW_KEYS = [key for _group, _label, keys in OVERVIEW_GROUPS for key in keys]


def _year(request) -> int:
    now = current_school_year()
    value = request.GET.get("year") or request.POST.get("year") or ""
    if not value:
        return now
    try:
        year = int(value)
    except ValueError as exc:
        raise Http404("Нет такого учебного года.") from exc
    if not YEAR_MIN <= year <= now + 1:
        raise Http404("Нет такого учебного года.")
    return year


@login_required
def dashboard(request):
    """The department: every municipality side by side, with charts of results; a coordinator of one municipality
    goes straight to its page."""
    require(can_see_dashboard(request.user), NOT_FOR_YOU)
    year = _year(request)
    municipalities = list(dashboard_municipalities(request.user).order_by("name"))
    if len(municipalities) == 1:
        return redirect(reverse("monitoring:dashboard_municipality", args=[municipalities[0].pk]) + f"?year={year}")
    figures = figures_read(municipalities=municipalities, year=year)
    figure_defs = {f.key: f for f in FIGURES}
    groups = {group: label for group, label, _keys in OVERVIEW_GROUPS}
    shown = request.GET.get("columns") if request.GET.get("columns") in groups else OVERVIEW_GROUPS[0][0]
    columns = [
        {"figure": figure_defs[key], "group": group, "hidden": group != shown}
        for group, _label, keys in OVERVIEW_GROUPS
        for key in keys
    ]
    # A country has 1,150 municipalities: the table shows a page of them (found by name), the totals stay whole.
    search = request.GET.get("q", "").strip()
    listed = [(m, row) for m, row in figures.row_list() if search.casefold() in m.name.casefold()]
    paging = page_of(request, listed, MUNICIPALITIES_PER_PAGE)
    link = FigureLinks(figures)
    rows = [
        {
            "municipality": municipality,
            "cells": [
                {
                    "key": c["figure"].key,
                    "kind": c["figure"].kind,
                    "value": row[c["figure"].key],
                    "url": link(c["figure"].key, municipality.pk),
                    "group": c["group"],
                    "hidden": c["hidden"],
                }
                for c in columns
            ],
        }
        for municipality, row in paging["page"].object_list
    ]
    total = [
        {
            "key": c["figure"].key,
            "kind": c["figure"].kind,
            "value": figures.total[c["figure"].key],
            "url": link(c["figure"].key, None),
            "group": c["group"],
            "hidden": c["hidden"],
        }
        for c in columns
    ]
    column_groups = []
    for group, label, _keys in OVERVIEW_GROUPS:
        link_query = request.GET.copy()
        link_query["columns"] = group
        column_groups.append({"key": group, "label": label, "shown": group == shown, "query": link_query.urlencode()})
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "figures": figures,
            "columns": columns,
            "column_groups": column_groups,
            "shown_columns": shown,
            "rows": rows,
            **paging,
            "search": search,
            "total": total,
            "total_sections": sections(figures, figures.total, municipality_id=None),
            "charts": dynamics_charts(figures),
            "year": year,
            "years": year_choices(),
            "may_export": can_export_report(request.user, None),
            "may_compare": can_compare_regions(request.user),
        },
    )


@login_required
def dashboard_municipality(request, pk):
    """One municipality on one page: every figure of the year, each a link to the list behind it."""
    require(can_see_dashboard(request.user), NOT_FOR_YOU)
    municipality = dashboard_municipalities(request.user).filter(pk=pk).first()
    if municipality is None:
        raise Http404("Нет такого муниципалитета.")
    year = _year(request)
    figures = dashboard_figures(user=request.user, year=year, municipality=municipality)
    row = figures.rows[municipality.pk]
    return render(
        request,
        "monitoring/dashboard_municipality.html",
        {
            "municipality": municipality,
            "figures": figures,
            "sections": sections(figures, row, municipality_id=municipality.pk),
            "indicator_rows": [r for r in figures.indicator_rows if r["municipality"] == municipality],
            "charts": dynamics_charts(figures, municipality_id=municipality.pk),
            "year": year,
            "years": year_choices(),
            "is_overview_allowed": dashboard_municipalities(request.user).count() > 1,
            "may_export": can_export_report(request.user, municipality),
        },
    )


# --- the regions side by side ----------------------------------------------------------------------------------------

NOT_COMPARING = "Регионы рядом — для федерального оператора и для тех, кто читает несколько регионов."


@login_required
def regions(request):
    """The regions the user reads side by side: the dashboard's key figures of the year per region, each count of
    schools a link to the region's registry, the approved list of the year in each, a chart and the xlsx."""
    require(can_compare_regions(request.user), NOT_COMPARING)
    year = _year(request)
    found = region_figures(dashboard_figures(user=request.user, year=year))
    link = RegionLinks(found.year_figures)
    shown = columns()
    rows = [
        {
            "region": row.region,
            "municipality_count": row.municipality_count,
            "approval": approval_label(row.approved_run),
            "approved": row.approved_run is not None,
            "registry": link("schools", row.region.pk),
            "cells": [
                {"key": c["key"], "kind": c["kind"], "value": row.figures[c["key"]], "url": link(c["key"], row.region.pk)}
                for c in shown
            ],
        }
        for row in found.rows
    ]
    total = [
        {"key": c["key"], "kind": c["kind"], "value": found.total[c["key"]], "url": link(c["key"], None)}
        for c in shown
    ]
    return render(
        request,
        "monitoring/regions.html",
        {
            "figures": found.year_figures,
            "columns": shown,
            "rows": rows,
            "total": total,
            "municipality_count": found.municipality_count,
            "chart": chart(found),
            "year": year,
            "years": year_choices(),
        },
    )


@login_required
def regions_export(request):
    """The regions side by side as an xlsx (the page's figures, typed, set up to print)."""
    require(can_compare_regions(request.user), NOT_COMPARING)
    year = _year(request)
    found = region_figures(dashboard_figures(user=request.user, year=year))
    buffer = io.BytesIO()
    xlsx_write_typed(buffer, [regions_sheet(found)])  # the running header names the user's territory
    return xlsx_response(buffer.getvalue(), file_name=f"regiony-{year}.xlsx")


# --- the yearly report -----------------------------------------------------------------------------------------------


class ReportForm(forms.Form):
    """The report's year and what it covers: a municipality, or the whole territory; those who read several regions
    choose one of them or all of them side by side (the country for the federal operator)."""

    year = forms.TypedChoiceField(label="Учебный год", coerce=int, choices=[])
    region = forms.ModelChoiceField(label="Регион", queryset=None, required=False)
    municipality = forms.ModelChoiceField(label="Муниципалитет", queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].choices = year_choices()
        municipalities = dashboard_municipalities(user)
        self.fields["municipality"].queryset = municipalities.order_by("name")
        several = can_compare_regions(user)
        if several:
            self.fields["region"].queryset = Region.objects.filter(
                pk__in=municipalities.values("region_id")
            ).order_by("name")
            self.fields["region"].empty_label = "Все регионы рядом (лист «Регионы»)"
        else:
            del self.fields["region"]
        if can_export_report(user, None):
            self.fields["municipality"].empty_label = (
                "Все муниципалитеты выбранного охвата" if several else "Весь регион (все муниципалитеты)"
            )
        else:
            self.fields["municipality"].required = True
            self.fields["municipality"].empty_label = None

    def clean(self):
        data = super().clean()
        region, municipality = data.get("region"), data.get("municipality")
        if region is not None and municipality is not None and municipality.region_id != region.pk:
            self.add_error("municipality", "Этот муниципалитет не входит в выбранный регион.")
        return data


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    require(can_see_dashboard(request.user), NOT_FOR_YOU)
    if request.method == "POST":
        raw = request.POST.get("municipality", "")
        if raw and not (raw.isdigit() and dashboard_municipalities(request.user).filter(pk=int(raw)).exists()):
            raise Http404("Нет такого муниципалитета.")  # another municipality's id: nothing says it exists
        require(
            bool(raw) or can_export_report(request.user, None),
            "Отчёт по всему региону выгружает управление образования; выберите свой муниципалитет.",
        )
        form = ReportForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                export = report_export_start(
                    actor=request.user, year=form.cleaned_data["year"], municipality=form.cleaned_data["municipality"],
                    region=form.cleaned_data.get("region"),
                )
            except ReportError as exc:
                messages.error(request, str(exc))
            else:
                return redirect("monitoring:report_export", pk=export.pk)
    else:
        initial = {"year": _year(request)}
        municipalities = list(dashboard_municipalities(request.user)[:2])
        if len(municipalities) == 1:
            initial["municipality"] = municipalities[0]
        form = ReportForm(initial=initial, user=request.user)
    exports_mark_interrupted()
    exports = list(visible_report_exports(request.user).select_related("municipality", "region", "requested_by")[:20])
    return render(request, "monitoring/report.html", {"form": form, "exports": exports})


@login_required
def report_export(request, pk):
    exports_mark_interrupted()
    export = get_report_export_or_404(request.user, pk)
    return render(
        request,
        "monitoring/report_export.html",
        {
            "export": export, "year_label": school_year_label(export.year),
            "can_retry": can_export_report(request.user, export.municipality),
        },
    )


@login_required
def report_export_progress(request, pk):
    """The progress block, polled by htmx every second until the file is ready or the export failed (an export
    whose worker died is marked failed here)."""
    exports_mark_interrupted()
    export = get_report_export_or_404(request.user, pk)
    return render(
        request,
        "monitoring/_report_progress.html",
        {"export": export, "can_retry": can_export_report(request.user, export.municipality)},
    )


@login_required
@require_POST
def report_export_retry_view(request, pk):
    """«Запустить снова»: a failed export is queued again, from the start, by whoever may export it."""
    export = get_report_export_or_404(request.user, pk)
    require(can_export_report(request.user, export.municipality), "Этот отчёт вы выгрузить не можете.")
    if report_export_retry(export):
        messages.success(request, "Отчёт снова поставлен в очередь.")
    else:
        messages.info(request, "Эта выгрузка не завершилась ошибкой — запускать её снова не нужно.")
    return redirect("monitoring:report_export", pk=export.pk)


@login_required
def report_export_download(request, pk):
    export = get_report_export_or_404(request.user, pk)
    if export.status != ReportExport.Status.DONE or not export.file:
        raise Http404("Отчёт ещё не готов.")
    return download_response(
        export.file,
        name=export.file_name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        missing="Файл отчёта не найден.",
    )
