"""Who is calling: a CKAN API token in ``Authorization`` (raw, or ``Bearer <token>``
as API gateways such as the LGSP send it), a registered client system's bearer
token (``khtc_…``, from ``/oauth/token``: clients/registry.py), or nobody.

A client acts as nobody (the public view) unless it holds ``read:protected``:
then it reads with the rights of its owner, the portal user a sysadmin named
when registering it (private fields only where that user may see them)."""

from __future__ import annotations

from flask import g, request

import ckan.authz as authz
import ckan.lib.api_token as api_token
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.clients import registry as clients

from .errors import ApiError


def token_from_request() -> str | None:
    header = request.headers.get(tk.config.get("apitoken_header_name") or "Authorization", "")
    header = header.strip()
    if not header:
        return None
    if header[:7].lower() == "bearer ":
        header = header[7:].strip()
    return header or None


def resolve_user() -> model.User | None:
    """The token's user (cached on ``g``); ApiError 401 for a bad token."""
    if "khtourism_api_user" in g:
        return g.khtourism_api_user
    user: model.User | None = None
    token = token_from_request()
    if clients.is_client_token(token):
        caller = clients.caller_for_token(token or "")
        if caller is None:
            raise ApiError("token_invalid")
        g.khtourism_api_client = caller
        request.environ["__no_cache__"] = True
        if "read:protected" in caller.scopes:
            owner = model.User.get(caller.owner)
            user = owner if owner is not None and owner.state == "active" else None
        g.khtourism_api_user = user
        return user
    if token is not None:
        current = tk.current_user
        if current and current.is_authenticated and getattr(current, "name", None):
            user = model.User.get(current.name)
        else:
            user = api_token.get_user_from_token(token)
        if user is None or user.state != "active":
            raise ApiError("token_invalid")
        # Responses for a token's user must not be shared by caches.
        request.environ["__no_cache__"] = True
    g.khtourism_api_user = user
    return user


def user_name() -> str | None:
    user = resolve_user()
    return user.name if user else None


def is_sysadmin() -> bool:
    name = user_name()
    return bool(name and authz.is_sysadmin(name))


def client() -> clients.Caller | None:
    """The registered client system behind the request's token, if any."""
    resolve_user()
    return g.get("khtourism_api_client")


def require_scope(scope: str) -> clients.Caller:
    """The calling client, which must hold ``scope``: 401 without a client token, 403
    naming the scope without it."""
    caller = client()
    if caller is None:
        raise ApiError("client_token_required")
    if scope not in caller.scopes:
        raise ApiError("insufficient_scope", scope)
    return caller
