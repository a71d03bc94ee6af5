"""The logged-in pages of the surveys: campaigns, a campaign's schools, a school's results, its QR poster and
class codes, the export."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from schools.access import require
from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import xlsx_response

from . import access, exports, results
from .forms import CampaignForm, ClassCodesForm, LinkSettingsForm
from .models import Audience
from .services import SurveyRefusal, campaign_close, campaign_launch, class_codes_issue, results_publish

NO_ROLE = "Результаты опросов видят школа, её координатор и управление образования."
NOT_DEPARTMENT = "Опросом управляет министерство образования региона."


def _require_reader(user):
    if not access.reads_surveys(user):
        raise PermissionDenied(NO_ROLE)


@login_required
def campaign_list(request):
    _require_reader(request.user)
    campaigns = access.visible_campaigns(request.user).select_related("region")
    return render(request, "surveys/campaign_list.html", {
        "can_launch": access.launch_regions(request.user).exists(), **page_of(request, campaigns),
    })


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    regions = access.launch_regions(request.user)
    require(regions.exists(), NOT_DEPARTMENT)
    form = CampaignForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_launch(
                actor=request.user, region=data["region"], year=data["year"], title=data["title"],
                opens_on=data["opens_on"], closes_on=data["closes_on"], audiences=data["audiences"],
                min_answers=data["min_answers"],
            )
        except SurveyRefusal as exc:
            form.add_error("year", str(exc))
        else:
            messages.success(request, f"Опрос запущен: у каждой из {campaign.links.count()} школ региона есть своя ссылка.")
            return redirect("surveys:campaign", campaign.pk)
    return render(request, "surveys/campaign_form.html", {"form": form})


def _campaign_rows(request, campaign):
    links = access.visible_links(request.user).filter(campaign=campaign)
    municipality = request.GET.get("municipality", "")
    query = request.GET.get("q", "").strip()
    if municipality.isdigit():
        links = links.filter(school__municipality_id=int(municipality))
    if query:
        links = links.filter(school__short_name__icontains=query)
    rows = results.school_indexes(campaign, links)
    schools = {link.pk: link for link in links.select_related("school__municipality")}
    named = [(schools[row.link_id], row) for row in rows]
    named.sort(key=lambda pair: (pair[0].school.municipality.name, pair[0].school.short_name))
    return named


@login_required
def campaign_detail(request, pk):
    campaign = access.get_campaign_or_404(request.user, pk)
    named = _campaign_rows(request, campaign)
    municipalities = sorted({link.school.municipality for link, _row in named}, key=lambda m: m.name)
    context = {
        "campaign": campaign, "summary": results.campaign_summary([row for _link, row in named]),
        "can_manage": access.can_manage_campaign(request.user, campaign), "not_enough": results.NOT_ENOUGH,
        "municipalities": municipalities, "is_open": campaign.is_open_on(timezone.localdate()),
        **page_of(request, named),
    }
    return render(request, "surveys/campaign_detail.html", context)


@login_required
def campaign_export(request, pk):
    campaign = access.get_campaign_or_404(request.user, pk)
    content = exports.campaign_xlsx(campaign, _campaign_rows(request, campaign))
    return xlsx_response(content, file_name=f"opros-udovletvorennosti-{campaign.year}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def campaign_close_view(request, pk):
    campaign = access.get_campaign_or_404(request.user, pk)
    require(access.can_manage_campaign(request.user, campaign), NOT_DEPARTMENT)
    if request.method == "POST":
        count = campaign_close(campaign=campaign, actor=request.user)
        messages.success(request, f"Опрос завершён: ссылки больше не принимают ответы; индекс передан в выявление для {count} школ.")
        return redirect("surveys:campaign", campaign.pk)
    return render(request, "surveys/campaign_close.html", {"campaign": campaign})


@login_required
@require_POST
def campaign_publish(request, pk):
    campaign = access.get_campaign_or_404(request.user, pk)
    require(access.can_manage_campaign(request.user, campaign), NOT_DEPARTMENT)
    count = results_publish(campaign=campaign, actor=request.user)
    messages.success(request, f"Индекс удовлетворённости передан в выявление: {count} школ с достаточным числом ответов.")
    return redirect("surveys:campaign", campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def link_detail(request, pk):
    link = access.get_link_or_404(request.user, pk)
    can_prepare = access.can_prepare_link(request.user, link)
    settings_form = LinkSettingsForm(request.POST or None, instance=link, prefix="settings")
    codes_form = ClassCodesForm(prefix="codes")
    if request.method == "POST":
        require(can_prepare, NO_ROLE)
        if settings_form.is_valid():
            settings_form.save()
            messages.success(request, "Сохранено.")
            return redirect("surveys:link", link.pk)
    report = results.school_report(link)
    codes = list(link.class_codes.all()) if can_prepare else []
    context = {
        "link": link, "campaign": link.campaign, "report": report,
        "audience_rows": [(label, report.by_audience.get(value, 0)) for value, label in Audience.choices
                          if value in link.campaign.audiences],
        "codes": codes, "codes_used": sum(1 for code in codes if code.used_at),
        "can_prepare": can_prepare, "settings_form": settings_form, "codes_form": codes_form,
        "not_enough": results.NOT_ENOUGH,
        "public_url": request.build_absolute_uri(reverse("surveys:answer_start", args=[link.token])),
    }
    return render(request, "surveys/link_detail.html", context)


@login_required
@require_POST
def class_codes_create(request, pk):
    link = access.get_link_or_404(request.user, pk)
    require(access.can_prepare_link(request.user, link), NO_ROLE)
    form = ClassCodesForm(request.POST, prefix="codes")
    if form.is_valid():
        codes = class_codes_issue(link=link, count=form.cleaned_data["count"], label=form.cleaned_data["label"])
        messages.success(request, f"Выдано кодов: {len(codes)}. Распечатайте их и раздайте по одному.")
    else:
        messages.error(request, "Коды не выданы: " + "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("surveys:link", link.pk)


@login_required
def link_poster(request, pk):
    """A printable page with the school's QR code, for parents' meetings and classrooms."""
    link = access.get_link_or_404(request.user, pk)
    url = request.build_absolute_uri(reverse("surveys:answer_start", args=[link.token]))
    codes = []
    if request.GET.get("codes"):  # the unused codes are a key to answering: only for those who hand them out
        require(access.can_prepare_link(request.user, link), NO_ROLE)
        codes = list(link.class_codes.filter(used_at__isnull=True))
    return render(request, "surveys/link_poster.html", {
        "link": link, "url": url, "codes": codes,
        "qr": segno.make(url, error="m").svg_inline(scale=6, dark="#000"),
    })


