"""The service's own information pages, linked from every page's footer and open to everyone."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from core.http import allow


def _page(template):
    @login_not_required
    @allow("GET")
    def view(request):
        return render(request, template, {"support_email": settings.SUPPORT_EMAIL})

    view.__name__ = template.rsplit("/", 1)[-1].removesuffix(".html")
    return view


accessibility = _page("pages/accessibility.html")
privacy = _page("pages/privacy.html")
contact = _page("pages/contact.html")
