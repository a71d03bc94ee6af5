from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.contrib.messages.views import SuccessMessageMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse_lazy

from .access import get_school_or_404, visible_schools
from .filters import SchoolFilter
from .selectors import home_panels


@login_required
def home(request):
    return render(request, "home.html", {"panels": home_panels(user=request.user)})


@login_required
def school_list(request):
    schools = visible_schools(request.user).select_related("municipality")
    school_filter = SchoolFilter(request.GET or None, queryset=schools, user=request.user)
    filtered = school_filter.qs if school_filter.is_bound else schools
    page = Paginator(filtered, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "schools/school_list.html",
        {"filter": school_filter, "page": page, "query": query.urlencode()},
    )


@login_required
def school_detail(request, pk):
    school = get_school_or_404(request.user, pk)
    return render(request, "schools/school_detail.html", {"school": school})


class PortalPasswordChangeView(SuccessMessageMixin, PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")
    success_message = "Пароль изменён."
