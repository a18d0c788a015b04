"""What every call of the API shares: a token signs it in (never a session), it needs the
scope its view names for the method, it is throttled per token (and calls without a working
token per client address), its lists are read page by page (api.pagination), its errors have
one shape (drf-standardized-errors), and it is written to the call log, whatever it answered."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    NotFound,
    ParseError,
    Throttled,
)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.throttling import SimpleRateThrottle

from core.audit import client_address

from ..authentication import TokenAuthentication
from ..models import ApiCall
from ..pagination import keyset
from ..parsers import Json
from ..scopes import TokenHasScope


class TokenThrottle(SimpleRateThrottle):
    """So many calls a minute per token (``DEFAULT_THROTTLE_RATES["token"]``), counted in the
    shared cache; over it, 429 with Retry-After."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AddressThrottle(SimpleRateThrottle):
    """Calls without a working token, per client address (``DEFAULT_THROTTLE_RATES["address"]``):
    nobody may try tokens, or fill the call log, as fast as they can send."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or ""}


class Endpoint(generics.GenericAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated, TokenHasScope]
    throttle_classes = [TokenThrottle]
    parser_classes = [Json]
    pagination_class = keyset("-id")
    scopes: dict = {}  # method -> the scope a token needs for it

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except (AuthenticationFailed, NotAuthenticated):
            throttle = AddressThrottle()
            if not throttle.allow_request(request, self):
                raise Throttled(throttle.wait()) from None
            raise

    def handle_exception(self, exc):
        if isinstance(exc, RequestDataTooBig):  # Django's limit, met before any parser
            exc = ParseError("The body is too large")
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "_auth", None)
        if token is not None or response.status_code != 429:  # not the throttled noise
            ApiCall.objects.create(
                token=token,
                user=request.user if token is not None else None,
                method=request.method[:8],
                path=request.path.replace("\x00", "\ufffd")[:500],  # PostgreSQL keeps no NUL
                status=response.status_code,
                address=client_address(request),
            )
        return response

    def param(self, name: str, *, limit: int = 100, choices=None) -> str:
        """A query parameter as text: a NUL character refused, cut to ``limit``; with
        ``choices``, "" for anything else (a filter that is not one is no filter)."""
        value = self.request.query_params.get(name, "")
        if "\x00" in value:
            raise serializers.ValidationError({name: ["Null characters are not allowed"]})
        value = value.strip()[:limit]
        return value if choices is None or value in choices else ""

    def page(self, queryset, serializer_class=None):
        """A page of ``queryset`` answered in the list's shape."""
        rows = self.paginate_queryset(queryset)
        serializer = (serializer_class or self.get_serializer_class())(rows, many=True)
        return self.get_paginated_response(serializer.data)


def refused(error: ValidationError) -> serializers.ValidationError:
    """A service's refusal (a Django ValidationError) as the API answers it: by field."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


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
class NoSuchCall(Endpoint):
    """Any other address under the API's: 404 in the API's own shape, never a web page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressThrottle]

    def get(self, request, *args, **kwargs):
        raise NotFound("There is no such call in this version of the API")

    post = put = patch = delete = get
