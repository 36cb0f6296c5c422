"""Schema additions drf-spectacular cannot infer: every operation's error answers (the
one error shape of helpdesk/api/errors.py) and the 304 of conditional reads."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_COMPONENT = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "validation_error"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            },
        }
    },
}

_DESCRIPTIONS = {
    "400": "Malformed JSON, unknown fields, wrong types, or a rule of the service refused it.",
    "401": "No credentials, or a token that is unknown, revoked or whose user is inactive.",
    "403": "Signed in, but not allowed (role, entitlement, read-only token, second factor).",
    "404": "No such item, or one this user may not see.",
    "415": "The body is not JSON (send Content-Type: application/json).",
    "429": "Too many requests for this token (Retry-After), or a service's own limit.",
}


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            codes = ["400", "401", "403", "429"]
            if "{" in path:
                codes.append("404")
            if method in ("post", "put", "patch"):
                codes.append("415")
            if method == "get":
                responses.setdefault(
                    "304", {"description": "Not modified: the ETag sent in If-None-Match."}
                )
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": _DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "helpdesk.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (pd_...), made on your API tokens page.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "helpdesk.api.authentication.SecondFactorSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
