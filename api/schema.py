"""How the schema describes the API: its sign-in, a bearer token (api.authentication), and
its refusals."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_standardized_errors import openapi
from drf_standardized_errors.openapi_serializers import ValidationErrorResponseSerializer


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A person's API token, made on their account page",
        }


class AutoSchema(openapi.AutoSchema):
    """drf-standardized-errors' schema, with one difference: a call whose body the pages' forms
    read (api.forms) answers their refusals, whose fields and codes are the forms' own, as a
    validation error of any field and code."""

    def _get_serializer_for_validation_error_response(self):
        if getattr(self.view, "form_errors", False):
            return ValidationErrorResponseSerializer
        return super()._get_serializer_for_validation_error_response()
