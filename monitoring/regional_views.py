"""«Показатели региона»: the region's own indicators with their plan and fact, and its department's entry of a value
(`monitoring.regional`)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .access import can_enter_region_values, require, visible_indicators
from .dashboard_views import _year
from .filters import year_choices
from .models import Indicator
from .regional import readable_regions, regional_rows, regional_value_save, stage_choices_of


class RegionalValueForm(forms.Form):
    stage = forms.ChoiceField(label="Этап мониторинга")
    value = forms.DecimalField(label="Значение", max_digits=12, decimal_places=2)

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stages


@login_required
def region_indicators(request):
    """The regions the user reads (every one for the federal operator), each with its indicators of level «регион»
    and its plan-schedules; the department enters its region's values here."""
    if not readable_regions(request.user).exists():
        raise Http404("Показатели региона видят министерство, институт, координаторы и федеральный оператор.")
    year = _year(request)
    regions, rows, plans = regional_rows(request.user, year=year)
    for row in rows:
        row.form = RegionalValueForm(stages=stage_choices_of(row.region, year)) if row.can_enter else None
    return render(
        request,
        "monitoring/region_indicators.html",
        {"year": year, "years": year_choices(), "regions": regions, "rows": rows, "plans": plans},
    )


@require_POST
@login_required
def region_value(request, pk):
    """The department of the indicator's region enters its value of a year and stage (confirmed at once)."""
    indicator = get_object_or_404(visible_indicators(request.user).filter(level=Indicator.Level.REGIONAL), pk=pk)
    year = _year(request)
    back = reverse("monitoring:region_indicators") + f"?year={year}"
    require(
        can_enter_region_values(request.user, indicator.region_id),
        "Значения показателей региона вносит министерство образования этого региона.",
    )
    form = RegionalValueForm(request.POST, stages=stage_choices_of(indicator.region, year))
    if not form.is_valid():
        messages.error(request, "Значение не сохранено: " + "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    try:
        regional_value_save(
            actor=request.user, indicator=indicator, year=year, stage=form.cleaned_data["stage"],
            value=form.cleaned_data["value"],
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, "Значение не сохранено: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Значение показателя «{indicator.name}» сохранено и подтверждено.")
    return redirect(back)
