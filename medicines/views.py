"""Finding a medicine's dm+d name and code: the suggestions the report's medicine field asks
for as it is typed (JSON), and the page that finds them without JavaScript.

Both are ``@untraced`` (core/http.py): they are asked while a report is written, and the
access log must not tie an address to the medicines of a report, anonymous or not (ADR 18)."""

from django.http import JsonResponse
from django.shortcuts import render

from core.http import allow, untraced

from .forms import FindForm
from .search import search

# The find page shows more than the picker's list: it is read, not scrolled past as one types.
FIND_LIMIT = 25


@untraced
@allow("GET")
def suggestions(request):
    """``{"results": [{"code", "level", "name", "label", "schedule"}]}`` for ``?q=``: the
    schedule is "" for none, "1" to "5", or null where the level has none (a VTM)."""
    results = [
        {
            "code": match.code,
            "level": match.level,
            "name": match.name,
            "label": match.label,
            "schedule": match.cd_schedule,
        }
        for match in search(request.GET.get("q", ""))
    ]
    return JsonResponse({"results": results})


@untraced
@allow("GET")
def find(request):
    form = FindForm(request.GET or None)
    query = form.query
    matches = search(query, limit=FIND_LIMIT) if query else []
    context = {"form": form, "query": query, "matches": matches, "limit": FIND_LIMIT}
    return render(request, "medicines/find.html", context)
