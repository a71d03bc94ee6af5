"""The territories' public pages: read without a login, GET only, nothing personal (docs/PUBLIC.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_safe

from partnerships.services.practices import practice_download_record
from partnerships.views.common import file_response
from shnor_portal.paging import page_of

from . import access, selectors
from .filters import PublicActFilter, PublicPracticeFilter
from .forms import PublicPageForm
from .models import public_page_of
from .services import PublicPageError, public_page_save


@require_safe
def index(request):
    return render(request, "public_pages/index.html", {"regions": selectors.regions_with_schools()})


@require_safe
def region_page(request, region_pk):
    region = access.get_region_or_404(region_pk)
    page = public_page_of(region)
    return render(
        request,
        "public_pages/region.html",
        {
            "region": region,
            "page": page,
            "data": selectors.region_data(region=region, page=page),
            "can_edit": access.can_edit_page(request.user, region),
        },
    )


@require_safe
def act_list(request, region_pk):
    """Every act of the region's register, a page at a time, found by words, kind, school year and municipality."""
    region = access.get_region_or_404(region_pk)
    act_filter = PublicActFilter(request.GET, queryset=selectors.public_acts(region), region=region)
    rows = act_filter.qs if act_filter.is_valid() else act_filter.queryset.none()
    return render(request, "public_pages/acts.html", {"region": region, "filter": act_filter, **page_of(request, rows)})


@require_safe
def practice_list(request, region_pk):
    """Every practice the region's schools published, a page at a time, found by words and municipality."""
    region = access.get_region_or_404(region_pk)
    practice_filter = PublicPracticeFilter(request.GET, queryset=selectors.public_practices(region), region=region)
    rows = practice_filter.qs if practice_filter.is_valid() else practice_filter.queryset.none()
    context = {"region": region, "filter": practice_filter, **page_of(request, rows)}
    return render(request, "public_pages/practices.html", context)


@require_safe
def act_file(request, region_pk, pk):
    """An act's PDF, only of the region whose page lists it; never inline."""
    act = access.get_public_act_or_404(region_pk, pk)
    return file_response(act.file, name=act.file_name or "акт.pdf", content_type="application/pdf")


@require_GET
def practice_file(request, region_pk, pk):
    """A file of a practice published by a school of the region: every download is counted, as in the bank (GET
    only: a HEAD would count one)."""
    stored = access.get_public_practice_file_or_404(region_pk, pk)
    practice_download_record(stored=stored, actor=access.downloader(request.user))
    return file_response(stored.file, name=stored.original_name, content_type=stored.content_type)


@login_required
def page_settings(request, region_pk):
    region = access.get_settings_region_or_404(request.user, region_pk)
    access.require(access.can_edit_page(request.user, region), access.NOT_DEPARTMENT)
    page = public_page_of(region)
    form = PublicPageForm(request.POST if request.method == "POST" else None, instance=page)
    if form.is_valid():
        try:
            public_page_save(
                region=region,
                actor=request.user,
                about=form.cleaned_data["about"],
                publish_list=form.cleaned_data["publish_list"],
                seen=form.cleaned_data.get("seen"),
            )
        except PublicPageError as exc:
            form.add_error(None, str(exc))
            form.reopen_on_current_version()
        else:
            messages.success(request, "Открытая страница сохранена.")
            return redirect("public:region", region.pk)
    status = 400 if form.is_bound else 200
    return render(request, "public_pages/settings.html", {"region": region, "form": form}, status=status)
