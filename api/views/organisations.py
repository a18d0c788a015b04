"""The organisation directory and the national MSO register, as the pages show them."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from organisations import register
from organisations.access import access_for
from organisations.choices import OrganisationKind, Region
from organisations.models import Organisation, OrganisationRelationship
from organisations.permissions import Perm
from organisations.scoping import get_object_for

from ..pagination import keyset
from ..scopes import Scope
from .base import Endpoint


class LinkSerializer(serializers.Serializer):
    ods_code = serializers.CharField(source="parent.ods_code")
    name = serializers.CharField(source="parent.name")
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, source="parent.kind")
    relationship = serializers.CharField(source="kind")
    start_on = serializers.DateField()
    end_on = serializers.DateField(allow_null=True)


class OrganisationSerializer(serializers.Serializer):
    ods_code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    region = serializers.ChoiceField(choices=Region.choices)
    opened_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    part_of = LinkSerializer(many=True, source="current_parents")


def _current_parents() -> Prefetch:
    links = OrganisationRelationship.objects.current().select_related("parent")
    return Prefetch("parent_links", queryset=links, to_attr="current_parents")


# The filters the directory and the register share: what they are asked for, and their schema.
PLACE = [
    OpenApiParameter("q", str, description="Part of the name, or the ODS code"),
    OpenApiParameter("kind", str, enum=OrganisationKind.values),
    OpenApiParameter("region", str, enum=Region.values),
]


class Places(Endpoint):
    def place(self) -> dict:
        return {
            "q": self.param("q"),
            "kind": self.param("kind", choices=OrganisationKind.values),
            "region": self.param("region", choices=Region.values),
        }


class OrganisationList(Places):
    """The organisation directory: every organisation the person may look up (the directory
    page's rule), by name or ODS code, kind and region."""

    scopes = {"GET": Scope.ORGANISATIONS_READ}
    serializer_class = OrganisationSerializer
    pagination_class = keyset("ods_code")

    @extend_schema(
        operation_id="organisations_list",
        responses=OrganisationSerializer(many=True),
        parameters=PLACE,
    )
    def get(self, request):
        if not access_for(request.user).has(Perm.ORGANISATIONS_DIRECTORY):
            raise PermissionDenied
        organisations = Organisation.objects.visible_to(request.user).looked_up(**self.place())
        return self.page(organisations.prefetch_related(_current_parents()))


class OrganisationDetail(Endpoint):
    scopes = {"GET": Scope.ORGANISATIONS_READ}
    serializer_class = OrganisationSerializer

    @extend_schema(operation_id="organisations_retrieve")
    def get(self, request, ods_code):
        organisation = get_object_for(
            request.user,
            Organisation.objects.prefetch_related(_current_parents()),
            ods_code=ods_code.upper(),
        )
        return Response(OrganisationSerializer(organisation).data)


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)


class RegisterRowSerializer(serializers.Serializer):
    ods_code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    region = serializers.ChoiceField(choices=Region.choices)
    mso = serializers.SerializerMethodField()
    mso_since = serializers.DateField(allow_null=True)
    mso_until = serializers.DateField(allow_null=True)
    mso_mailbox = serializers.CharField(allow_blank=True, help_text="The generic MSO mailbox")
    mso_professional = serializers.SerializerMethodField(
        help_text="The MSO's profession, registration and latest training (network leads only)"
    )
    board_director = serializers.SerializerMethodField()
    states = serializers.SerializerMethodField()

    @staticmethod
    def _person(name, email):
        return {"name": name, "email": email or ""} if name else None

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_mso(self, row) -> dict | None:
        return self._person(row.mso_name, row.mso_email)

    def get_mso_professional(self, row) -> list[str]:
        return register.professional(row)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_board_director(self, row) -> dict | None:
        return self._person(row.board_name, row.board_email)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(register.State.choices))
    )
    def get_states(self, row) -> list[str]:
        return [state.value for state in register.states(row)]


class RegisterList(Places):
    """The national MSO register, as a network lead sees it: their region's open organisations
    (all of England for a national lead), each with its MSO, board director and states."""

    scopes = {"GET": Scope.REGISTER_READ}
    serializer_class = RegisterRowSerializer
    pagination_class = keyset("ods_code")

    @extend_schema(
        operation_id="register_list",
        responses=RegisterRowSerializer(many=True),
        parameters=[*PLACE, OpenApiParameter("state", str, enum=register.State.values)],
    )
    def get(self, request):
        if not access_for(request.user).has(Perm.REGISTER_VIEW):
            raise PermissionDenied
        filters = register.Filters(
            **self.place(),
            state=self.param("state", choices=register.State.values),
            sort=register.Sort.ODS_CODE,
        )
        on = timezone.localdate()
        rows = self.paginate_queryset(register.rows(request.user, filters, on=on))
        register.attach_cover(rows, on=on)
        register.attach_professional(rows)
        return self.get_paginated_response(RegisterRowSerializer(rows, many=True).data)
