"""The portal's URLs plus the floor view of the benchmarks: `base.html` rendered with one query.

Used only by `bench/scale.py` (through `override_settings(ROOT_URLCONF="bench.floor_urls")`); the portal itself never
routes to it.
"""

from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns
from schools.models import Region


def floor(request):
    regions = list(Region.objects.order_by("pk")[:1])  # the one query
    return render(request, "base.html", {"regions": regions})


urlpatterns = [path("__bench_floor__/", floor, name="bench_floor"), *portal_urlpatterns]
