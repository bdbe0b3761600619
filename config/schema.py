"""OpenAPI schema generation: every operation also documents the errors it can answer.

The rules follow how the API answers (config.api.exception_handler, DESIGN "API v1"): 400 with
field errors where a body or filters are read, 401 and 403 wherever a login and a role are
needed, 404 for an object or a page that does not exist (or that the caller may not know of),
409 where an operation refuses a stale write, 413 for a body over the size limit.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

BODY_METHODS = {"POST", "PUT", "PATCH"}
# (router basename, action) of the operations that answer 409 with the stored state.
CONFLICTS = {
    ("question", "partial_update"): "The question changed since the version sent (`version`)."
}

VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Each invalid field with its messages (a nested field gives the same shape per entry); "
        "`detail` or `non_field_errors` for a problem with the request as a whole."
    ),
    "properties": {
        "detail": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "array", "items": {"type": "object"}},
            {"type": "object"},
        ]
    },
    "example": {"title": ["This field may not be blank."]},
}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the caller's language.")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses of each operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description, body in self._error_responses(responses):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=body, description=description), code
                )
        return responses

    def _error_responses(self, responses):
        error = ErrorSerializer
        if self.method in BODY_METHODS or self._is_filtered_list():
            yield "400", "Invalid input: what to change, per field.", self._validation_error()
        if self._needs_login():
            yield "401", "No valid credentials (a session or `Authorization: Token`).", error
            yield "403", "The caller's role may not do this.", error
        if "{" in self.path:
            yield "404", "No such object, or one the caller may not see.", error
        elif self._is_list_view():
            yield "404", "No such page of results.", error
        conflict = CONFLICTS.get(
            (getattr(self.view, "basename", None), getattr(self.view, "action", None))
        )
        if conflict:
            yield "409", conflict, self._conflict(responses)
        if self.method in BODY_METHODS:
            yield "413", "The request body is over the size limit.", error

    def _needs_login(self) -> bool:
        return not all(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )

    def _is_filtered_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and bool(self._get_filter_parameters())

    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _validation_error(self) -> dict:
        return self._component("ValidationError", VALIDATION_ERROR_SCHEMA)

    def _conflict(self, responses) -> dict:
        """`detail` and `current`: the object as stored now, shaped like the 200 answer."""
        current = responses.get("200", {}).get("content", {}).get("application/json", {})
        return {
            "type": "object",
            "properties": {
                "detail": {"type": "string"},
                "current": current.get("schema", {"type": "object"}),
            },
            "required": ["detail", "current"],
        }
