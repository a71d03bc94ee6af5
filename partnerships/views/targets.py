"""The targets of support per territory and school year: the department sets them, coordinators read them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from schools.school_year import school_year_choices, school_year_label, school_year_param

from .. import access
from ..forms import SupportTargetForm, add_errors
from ..models import SupportTarget
from ..services import targets as target_services
from ..services.common import PartnershipError
from ..targets import targets_of_year
from .common import form_page

NOT_READER = "Цели сопровождения видят управление образования и муниципальные координаторы."


@login_required
def target_list(request):
    access.require(access.can_read_targets(request.user), NOT_READER)
    year = school_year_param(request.GET.get("year"))
    book = targets_of_year(year)
    rows = [{"region": None, "name": "По умолчанию (все территории)", "targets": book.of(year), "set": (None, year) in book.rows}]
    for region in access.target_regions(request.user):
        rows.append(
            {"region": region, "name": region.name, "targets": book.of(year, region.pk), "set": (region.pk, year) in book.rows}
        )
    return render(
        request,
        "partnerships/targets.html",
        {
            "year": year,
            "year_label": school_year_label(year),
            "years": school_year_choices({year}, ahead=2),
            "rows": rows,
            "can_edit": access.can_edit_targets(request.user),
        },
    )


def _region(request):
    value = request.GET.get("region") or ""  # the form posts back to its own URL, the territory with it
    if not value:
        return None
    region = access.target_regions(request.user).filter(pk=value).first() if value.isdigit() else None
    if region is None:
        raise Http404
    return region


@login_required
def target_edit(request, year):
    access.require(access.can_edit_targets(request.user), target_services.NOT_DEPARTMENT)
    if not 2000 <= year <= 2100:
        raise Http404
    region = _region(request)
    access.require(access.can_edit_targets_of(request.user, region), target_services.NOT_DEPARTMENT)
    current = targets_of_year(year).of(year, region.pk if region else None)
    instance = SupportTarget.objects.filter(region=region, year=year).first() or SupportTarget(
        region=region,
        year=year,
        agreements_per_year=current.agreements_per_year,
        event_participation=current.event_participation,
        teacher_coverage=current.teacher_coverage,
    )
    form = SupportTargetForm(request.POST or None, instance=instance)
    back = reverse("partnerships:targets") + f"?year={year}"
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            target_services.support_target_save(
                actor=request.user, year=year, region=region, seen=data.pop("seen", None), **data
            )
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Цели на {school_year_label(year)} учебный год сохранены.")
            return redirect(back)
    territory = region.name if region else "по умолчанию для всех территорий"
    return form_page(
        request, form=form, title=f"Цели сопровождения на {school_year_label(year)} учебный год: {territory}",
        crumbs=[("Цели сопровождения", back), (territory, None)], cancel_url=back,
        intro="Цели действуют для этого учебного года (с 1 сентября по 31 августа). Страницы прошлых лет читают цели "
        "своего года; уже выгруженные отчёты не меняются.",
    )
