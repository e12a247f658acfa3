"""The API's one error shape: ``{"error": {"code", "message", "parameter"}}``.

Codes are stable (clients switch on them); messages are in the request's
language (``vi`` or ``en``): English msgids, translated with the portal's
catalogue for the language the API chose (``core.messages.translate``).
"""

from __future__ import annotations

from typing import Any

from ckanext.khtourism.core.messages import N_, translate

# code -> (HTTP status, English msgid; Vietnamese in the catalogue, docs/architecture.md)
MESSAGES: dict[str, tuple[int, str]] = {
    "unknown_parameter": (400, N_("Unsupported parameter: '{parameter}'.")),
    "invalid_parameter": (400, N_("Invalid value for parameter '{parameter}': {detail}")),
    "repeated_parameter": (400, N_("Parameter '{parameter}' may be given only once.")),
    "parameter_conflict": (400, N_("Parameter '{parameter}' cannot be used this way: {detail}")),
    "invalid_query": (400, N_("Invalid search query: {detail}")),
    "token_invalid": (
        401,
        N_("The API token in the Authorization header is invalid or has been revoked."),
    ),
    "token_required": (401, N_("Parameter '{parameter}' requires a curator's API token.")),
    "client_token_required": (
        401,
        N_("This resource needs a client system's bearer token from /oauth/token."),
    ),
    "insufficient_scope": (
        403,
        N_("This request needs the scope '{parameter}', which the client system was not granted."),
    ),
    "client_request_invalid": (400, N_("Invalid value for '{parameter}': {detail}")),
    "not_found": (404, N_("No record '{detail}' was found.")),
    "bad_request": (
        400,
        N_(
            "The request was refused: a signed-in browser's form sent without its security"
            " token, or a body the server cannot read."
        ),
    ),
    "forbidden": (403, N_("You are not allowed to do this.")),
    "unknown_resource": (404, N_("There is no such API resource.")),
    "method_not_allowed": (
        405,
        N_("This resource does not answer this HTTP method; the Allow header lists those it does."),
    ),
    "uri_too_long": (
        414,
        N_("The request URI is longer than {detail} characters; send fewer or shorter parameters."),
    ),
    "not_acceptable": (
        406,
        N_(
            "The format requested in the Accept header is not supported; use JSON, GeoJSON, CSV or JSON-LD."
        ),
    ),
    "rate_limited": (429, N_("Too many requests ({detail}); retry after {retry_after} seconds.")),
    "service_unavailable": (
        503,
        N_(
            "The portal's database is unavailable at the moment; please try again in a few minutes."
        ),
    ),
    "internal_error": (500, N_("Server error; please try again later.")),
}

ERROR_CODES = sorted(MESSAGES)


class ApiError(Exception):
    """An error answered with the API's error shape.

    ``detail`` is an English msgid (marked with ``N_``) or text that needs no
    translation (a search parser's message, a record name); ``detail_values``
    fill its ``{placeholders}`` after translation."""

    def __init__(
        self,
        code: str,
        parameter: str | None = None,
        detail: str = "",
        detail_values: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown API error code {code!r}")
        self.code = code
        self.parameter = parameter
        self.detail = detail
        self.detail_values = detail_values or {}
        self.extra = extra
        super().__init__(f"{code}: {parameter}: {self.detail_text('en')}")

    @property
    def status(self) -> int:
        return MESSAGES[self.code][0]

    def detail_text(self, lang: str) -> str:
        if not self.detail:
            return ""
        text = translate(self.detail, lang)
        return text.format(**self.detail_values) if self.detail_values else text

    def message(self, lang: str) -> str:
        return translate(MESSAGES[self.code][1], lang).format(
            parameter=self.parameter or "",
            detail=self.detail_text(lang),
            **self.extra,
        )

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message(lang),
                "parameter": self.parameter,
                "status": self.status,
            }
        }


def invalid(parameter: str, detail: str, **values: Any) -> ApiError:
    """``invalid_parameter``: ``detail`` an English msgid, ``values`` its placeholders."""
    return ApiError("invalid_parameter", parameter, detail, values)


def conflict(parameter: str, detail: str, **values: Any) -> ApiError:
    """``parameter_conflict``: ``detail`` an English msgid, ``values`` its placeholders."""
    return ApiError("parameter_conflict", parameter, detail, values)
