"""Keyset pagination: each page starts after the last row of the page before, found by the
values of its ordering columns, never by an offset. A page costs the same deep in a list, and
a row added or leaving while a client reads moves nothing it has not read yet (DRF's own
cursor keeps an offset among rows that share their first column's value, which does both).

The cursor is the last row's ordering values, as JSON in URL-safe base64; a cursor that does
not decode into values of the ordering's columns is a 404, never a server error."""

import base64
import binascii
import json
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Q
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

PAGE_SIZE = 50
LARGEST_PAGE = 200


class Keyset(BasePagination):
    """Pages of a queryset in ``ordering`` (column names, each with "-" for newest or largest
    first, all one way), which must end in a unique column."""

    ordering: tuple[str, ...] = ("-id",)
    cursor_query_param = "cursor"
    limit_query_param = "limit"
    invalid_cursor_message = "The cursor is not one this list gave"

    def __init__(self):
        directions = {name.startswith("-") for name in self.ordering}
        if len(directions) != 1:
            raise ValueError("A keyset's columns must all run the same way")
        self.descending = directions.pop()
        self.columns = [name.lstrip("-") for name in self.ordering]

    # Reading a page ------------------------------------------------------------------------

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self._limit(request)
        queryset = queryset.order_by(*self.ordering)
        after = self._decoded(request, queryset.model)
        if after is not None:
            queryset = queryset.filter(self._beyond(after))
        rows = list(queryset[: self.limit + 1])
        self.more = len(rows) > self.limit
        rows = rows[: self.limit]
        self.last = [self._value(rows[-1], column) for column in self.columns] if rows else None
        return rows

    def _limit(self, request) -> int:
        asked = request.query_params.get(self.limit_query_param, "")
        if asked.isdigit() and int(asked) > 0:
            return min(int(asked), LARGEST_PAGE)
        return PAGE_SIZE

    def _beyond(self, after: list) -> Q:
        """The rows after ``after``: greater (or smaller) on the first column, or equal on it
        and beyond on the next, and so on."""
        lookup = "lt" if self.descending else "gt"
        conditions = []
        for n, column in enumerate(self.columns):
            equal = dict(zip(self.columns[:n], after[:n], strict=True))
            conditions.append(Q(**equal, **{f"{column}__{lookup}": after[n]}))
        return reduce(or_, conditions)

    @staticmethod
    def _value(row, column):
        return getattr(row, column)

    # The cursor ----------------------------------------------------------------------------

    def _decoded(self, request, model):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            values = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii")))
            if not isinstance(values, list) or len(values) != len(self.columns):
                raise ValueError
            return [
                model._meta.get_field(column).to_python(value)
                for column, value in zip(self.columns, values, strict=True)
            ]
        except (ValueError, TypeError, UnicodeError, binascii.Error, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None

    def _encoded(self, values) -> str:
        plain = [value.isoformat() if hasattr(value, "isoformat") else value for value in values]
        return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode("ascii")

    def get_next_link(self):
        if not self.more:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encoded(self.last))

    # The answer ----------------------------------------------------------------------------

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null after the last",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: take it from the page before's `next`",
                "schema": {"type": "string"},
            },
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows a page, {PAGE_SIZE} if not given, {LARGEST_PAGE} at most",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


def keyset(*ordering: str) -> type[Keyset]:
    """The paginator of a list in ``ordering``."""
    return type("Keyset", (Keyset,), {"ordering": ordering})
