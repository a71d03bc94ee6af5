"""One page of a list: the page, its elided range of page links and the query string the links carry (the filters,
without the page number) — what every paginated list's template (`_pagination.html`) reads."""

from django.conf import settings
from django.core.paginator import Paginator


def page_of(request, rows, per_page: int | None = None, *, count: int | None = None) -> dict:
    """`count`, when the view has already counted `rows`, spares the paginator its own COUNT query."""
    paginator = Paginator(rows, per_page or settings.PAGE_SIZE)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
    }
