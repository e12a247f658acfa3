"""The client systems' own endpoints under ``/api/tourism/v1``: the OAuth 2.0 token
endpoint (RFC 6749 §4.4, client credentials), the client's registration and usage,
and its webhook subscriptions and dead letters (clients/, docs/integration.md)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import unquote

from flask import Blueprint, Response, request

from ckanext.khtourism.clients import registry, webhooks
from ckanext.khtourism.clients.registry import ClientError

from . import auth, http
from .errors import ApiError

BASE_PATH = "/api/tourism/v1"

client_api = Blueprint("khtourism_client_api", __name__, url_prefix=BASE_PATH)


@client_api.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    headers = (
        {"Retry-After": str(error.extra["retry_after"])} if "retry_after" in error.extra else None
    )
    return http.error_response(error, headers)


@client_api.errorhandler(webhooks.UnknownWebhook)
def _unknown_webhook(error: webhooks.UnknownWebhook) -> Response:
    webhook_id = (request.view_args or {}).get("webhook_id", "")
    return http.error_response(ApiError("not_found", None, webhook_id))


@client_api.errorhandler(ClientError)
def _client_error(error: ClientError) -> Response:
    return http.error_response(
        ApiError("client_request_invalid", error.field, error.message, error.values)
    )


def _exempt_from_csrf(state: Any) -> None:
    """Machine-to-machine endpoints authenticated by credentials, not by a session."""
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(client_api)


client_api.record_once(_exempt_from_csrf)
client_api.before_request(http.uri_too_long)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    response = Response(body, status=status, content_type="application/json")
    request.environ["__no_cache__"] = True  # CKAN: never "public"
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _oauth_error(code: str, description: str, status: int = 400) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="khtourism"'} if status == 401 else None
    return _json({"error": code, "error_description": description}, status, headers)


def _credentials() -> tuple[str, str] | None:
    """client_id and secret from HTTP Basic (form-urlencoded parts) or the body."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))
    form_id, form_secret = request.form.get("client_id"), request.form.get("client_secret")
    if form_id and form_secret:
        return form_id, form_secret
    return None


@client_api.route("/oauth/token", methods=["POST"])
def token() -> Response:
    if request.mimetype != "application/x-www-form-urlencoded":
        return _oauth_error(
            "invalid_request", "The body must be application/x-www-form-urlencoded."
        )
    if request.form.get("grant_type") != "client_credentials":
        return _oauth_error(
            "unsupported_grant_type", "Only grant_type=client_credentials is supported."
        )
    credentials = _credentials()
    if credentials is None:
        return _oauth_error("invalid_client", "Client credentials are missing.", 401)
    row = registry.authenticate(*credentials)
    if row is None:
        return _oauth_error(
            "invalid_client", "Unknown client, wrong secret, or client not active.", 401
        )
    try:
        access_token, ttl, scopes = registry.issue_token(row, request.form.get("scope"))
    except ClientError as error:
        return _oauth_error(
            "invalid_scope", f"The client was not granted the scope '{error.values.get('value')}'."
        )
    return _json(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": " ".join(scopes),
        }
    )


def _caller(scope: str | None = None) -> registry.Caller:
    caller = auth.require_scope(scope) if scope else auth.client()
    if caller is None:
        raise ApiError("client_token_required")
    enforce_quota(caller)
    return caller


def enforce_quota(caller: registry.Caller) -> None:
    """Count the request for the client; 429 with Retry-After over its quota."""
    if request.environ.get("khtourism.client_counted"):
        return
    request.environ["khtourism.client_counted"] = True
    endpoint = (request.view_args or {}).get("resource_path") or (
        (request.endpoint or "unknown").rsplit(".", 1)[-1]
    )
    wait = registry.count_request(caller, endpoint)
    if wait is not None:
        quota = f"{caller.quota_per_minute}/minute, {caller.quota_per_day}/day"
        raise ApiError("rate_limited", None, quota, retry_after=wait)


def _input() -> dict[str, Any]:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


@client_api.route("/client")
def client_show() -> Response:
    caller = _caller()
    return _json(registry.as_dict(registry.get(caller.client_id), usage=True))


@client_api.route("/webhooks", methods=["GET", "POST"])
def webhook_collection() -> Response:
    caller = _caller("webhooks")
    if request.method == "GET":
        return _json({"webhooks": webhooks.list_webhooks(caller.client_id)})
    data = _input()
    created, secret = webhooks.subscribe(
        caller.client_id,
        str(data.get("url") or ""),
        data.get("record_types"),
        data.get("events"),
        data.get("cursor"),
    )
    return _json({**created, "secret": secret}, status=201)


@client_api.route("/webhooks/dead-letters")
def dead_letters() -> Response:
    caller = _caller("webhooks")
    return _json({"dead_letters": webhooks.dead_letters(caller.client_id)})


@client_api.route("/webhooks/<webhook_id>", methods=["GET", "DELETE"])
def webhook_item(webhook_id: str) -> Response:
    caller = _caller("webhooks")
    if request.method == "DELETE":
        return _json(webhooks.unsubscribe(webhook_id, caller.client_id))
    return _json(webhooks.get(webhook_id, caller.client_id))


@client_api.route("/webhooks/<webhook_id>/replay", methods=["POST"])
def webhook_replay(webhook_id: str) -> Response:
    caller = _caller("webhooks")
    data = _input()
    return _json(webhooks.replay(webhook_id, data.get("cursor"), caller.client_id))
