"""The department's access log of teachers' personal data and its region's retention period."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schools.access import reach_of, require, working_region
from shnor_portal.paging import page_of

from .access import can_read_access_log, visible_access_log
from .filters import AccessLogFilter
from .models import PersonalDataPolicy


class RetentionForm(forms.ModelForm):
    class Meta:
        model = PersonalDataPolicy
        fields = ["retention_days"]


@login_required
@require_http_methods(["GET", "POST"])
def access_log_list(request):
    if not can_read_access_log(request.user):
        raise PermissionDenied("Журнал обращений к персональным данным читает управление образования своей территории.")
    region = working_region(request.user, request.GET.get("region"))
    policy = PersonalDataPolicy.objects.filter(region=region).first() if region else None
    can_set = bool(region) and reach_of(request.user).acts_for_region(region.pk)
    form = RetentionForm(request.POST or None, instance=policy or PersonalDataPolicy(region=region))
    if request.method == "POST":
        require(can_set, "Срок хранения журнала устанавливает министерство образования региона.")
        if form.is_valid():
            form.save()
            messages.success(request, f"Журнал хранится {form.instance.retention_days} дн.; старые записи удаляются ежедневно.")
            return redirect("people:access_log")
    rows = visible_access_log(request.user).select_related("user", "municipality")
    log_filter = AccessLogFilter(request.GET, queryset=rows, request=request)
    context = {"filter": log_filter, "form": form, "can_set": can_set, "region": region,
               "retention_days": form.instance.retention_days}  # fmt: skip
    context |= page_of(request, log_filter.qs)
    return render(request, "people/access_log.html", context)
