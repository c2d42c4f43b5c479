"""How the OpenAPI schema describes the API's authentication: a bearer token."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from your account's API tokens page: "
            "`Authorization: Bearer lc_…`.",
        }


_ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "parameter": {"type": "string", "description": "The parameter at fault (400 only)."},
    },
    "required": ["detail"],
}
_ERRORS = {
    "400": "An unknown parameter, or a quarter, locality, date or page that is not one: `parameter` names it.",
    "401": "No token, or one that is wrong, revoked or expired (see WWW-Authenticate).",
    "404": "Nothing the token's owner may read.",
    "429": "Too many requests for this token: wait the seconds Retry-After gives.",
}


class ApiAutoSchema(AutoSchema):
    """The generated operation, with the errors every endpoint may answer."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        csv = responses.get("200", {}).get("content", {}).get("text/csv")
        if csv is not None:
            # The same records as a CSV file: one row each, a column per field.
            csv["schema"] = {"type": "string", "format": "binary"}
        for code, description in _ERRORS.items():
            responses.setdefault(
                code,
                {"content": {"application/json": {"schema": _ERROR}}, "description": description},
            )
        return responses
