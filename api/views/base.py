"""What every call of the API shares: a token signs it in (never a session), it needs the
scope its view names for the method, it is throttled per token, its list answers are read
page by page with a cursor (keyset pagination: each page starts after the last row of the one
before, so it costs the same deep in a long list and skips nothing when rows are added), its
errors have one shape (drf-standardized-errors), and it is written to the call log, whatever
it answered."""

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.throttling import SimpleRateThrottle

from core.audit import client_address

from ..authentication import TokenAuthentication
from ..models import ApiCall
from ..scopes import TokenHasScope


class TokenThrottle(SimpleRateThrottle):
    """So many calls a minute per token (``DEFAULT_THROTTLE_RATES["token"]``), counted in the
    shared cache; over it, 429 with Retry-After."""

    scope = "token"

    def get_cache_key(self, request, view):
        if request.auth is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class Pages(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200


class Endpoint(generics.GenericAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated, TokenHasScope]
    throttle_classes = [TokenThrottle]
    pagination_class = Pages
    scopes: dict = {}  # method -> the scope a token needs for it

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "_auth", None)
        user = request.user if token is not None else None
        ApiCall.objects.create(
            token=token,
            user=user,
            method=request.method[:8],
            path=request.path[:500],
            status=response.status_code,
            address=client_address(request),
        )
        return response

    def page(self, queryset, serializer_class=None):
        """A page of ``queryset`` answered in the list's shape."""
        rows = self.paginate_queryset(queryset)
        serializer = (serializer_class or self.get_serializer_class())(rows, many=True)
        return self.get_paginated_response(serializer.data)


def endpoint(view_class):
    """The view of an API endpoint for the URLconf: no page's sign-in is asked (the token is
    the sign-in, api.authentication), and the methods it answers are declared as every view's
    are (core.http.allow)."""
    view = login_not_required(view_class.as_view())
    view.http_methods = frozenset(
        method.upper()
        for method in view_class.http_method_names
        if method not in ("head", "options") and hasattr(view_class, method)
    )
    return view


@extend_schema(exclude=True)
class NoSuchCall(generics.GenericAPIView):
    """Any other address under the API's: 404 in the API's own shape, never a web page."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        raise NotFound("There is no such call in this version of the API")

    post = put = patch = delete = get
