from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse

from wagtail_pledges.visibility import private_if_gated, search_pages


def search(request):
    query = request.GET.get("query", "")[:200]
    # Private pages the viewer may not see leave no trace: not even their titles.
    results = search_pages(request, query) if query else []
    paginator = Paginator(results, 10)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    response = TemplateResponse(request, "rrn_site/search.html",
                                {"query": query, "results": page})
    # A member's results (and menu) may list private pages: never for a shared cache.
    return private_if_gated(request, response)
