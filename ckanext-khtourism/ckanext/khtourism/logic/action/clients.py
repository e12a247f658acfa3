"""Actions of the client registry and its webhooks (clients/, docs/integration.md).

Sysadmins register, change, suspend, rotate and revoke client systems; a
client's owner (and sysadmins) read it with its usage, its subscriptions and
its dead letters. A secret is in the answer of ``khtourism_client_create`` and
``khtourism_client_rotate_secret`` only.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.khtourism.clients import registry, webhooks
from ckanext.khtourism.clients.registry import ClientError

__all__ = [
    "khtourism_client_create",
    "khtourism_client_update",
    "khtourism_client_rotate_secret",
    "khtourism_client_revoke",
    "khtourism_client_list",
    "khtourism_client_show",
    "khtourism_webhook_list",
    "khtourism_webhook_dead_letters",
    "khtourism_webhook_replay",
]


def _refused(error: ClientError) -> tk.ValidationError:
    return tk.ValidationError({error.field: [error.text()]})


def khtourism_client_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Register a client system (sysadmins). Its ``client_secret`` is shown here only.

    :param name: the system's name (unique)
    :param owner: the portal user responsible for it (``read:protected`` reads with
        this user's rights)
    :param contact: who to contact (e-mail, phone)
    :param scopes: ``read:public``, ``read:protected``, ``webhooks`` (list or
        space-separated)
    :param quota_per_minute: requests per minute (default: the setting)
    :param quota_per_day: requests per day (default: the setting)
    """
    tk.check_access("khtourism_client_create", context, data_dict)
    try:
        client, secret = registry.create(
            name=str(data_dict.get("name") or ""),
            owner=str(data_dict.get("owner") or ""),
            contact=str(data_dict.get("contact") or ""),
            scopes=data_dict.get("scopes"),
            quota_per_minute=data_dict.get("quota_per_minute"),
            quota_per_day=data_dict.get("quota_per_day"),
        )
    except ClientError as error:
        raise _refused(error) from error
    return {**client, "client_secret": secret}


def khtourism_client_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a client system (sysadmins); ``status``: ``active`` or ``suspended``.

    :param client_id: the client
    :param name, owner, contact, scopes, quota_per_minute, quota_per_day, status: optional
    """
    tk.check_access("khtourism_client_update", context, data_dict)
    fields = ("name", "owner", "contact", "scopes", "quota_per_minute", "quota_per_day", "status")
    try:
        return registry.update(
            str(data_dict.get("client_id") or ""),
            **{key: data_dict[key] for key in fields if key in data_dict},
        )
    except ClientError as error:
        raise _refused(error) from error


def khtourism_client_rotate_secret(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A new secret for a client system (sysadmins); the old one and its tokens end.

    :param client_id: the client
    """
    tk.check_access("khtourism_client_rotate_secret", context, data_dict)
    try:
        client, secret = registry.rotate_secret(str(data_dict.get("client_id") or ""))
    except ClientError as error:
        raise _refused(error) from error
    return {**client, "client_secret": secret}


def khtourism_client_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """End a client system for good (sysadmins): secret, tokens and webhooks.

    :param client_id: the client
    """
    tk.check_access("khtourism_client_revoke", context, data_dict)
    try:
        return registry.revoke(str(data_dict.get("client_id") or ""))
    except ClientError as error:
        raise _refused(error) from error


@tk.side_effect_free
def khtourism_client_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Client systems: all (sysadmins) or those the caller owns."""
    tk.check_access("khtourism_client_list", context, data_dict)
    user = context.get("auth_user_obj")
    if user is not None and getattr(user, "sysadmin", False):
        return registry.list_clients()
    return registry.list_clients(owner=context.get("user") or "")


def _client(context: Context, data_dict: DataDict, auth: str) -> Any:
    client_id = str(data_dict.get("client_id") or "")
    try:
        row = registry.get_or_error(client_id)
    except ClientError as error:
        raise tk.ObjectNotFound(error.text()) from error
    tk.check_access(auth, context, {"client_id": client_id, "owner": row["owner"]})
    return row


@tk.side_effect_free
def khtourism_client_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A client system with its requests per day and endpoint (sysadmins, its owner).

    :param client_id: the client
    """
    row = _client(context, data_dict, "khtourism_client_show")
    return registry.as_dict(row, usage=True)


@tk.side_effect_free
def khtourism_webhook_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """A client system's webhook subscriptions (sysadmins, its owner).

    :param client_id: the client
    """
    row = _client(context, data_dict, "khtourism_client_show")
    return webhooks.list_webhooks(row["id"])


@tk.side_effect_free
def khtourism_webhook_dead_letters(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Deliveries given up after the retries: all (sysadmins, no ``client_id``) or one
    client's (sysadmins, its owner).

    :param client_id: the client (optional for sysadmins)
    """
    if not data_dict.get("client_id"):
        tk.check_access("khtourism_client_list_all", context, data_dict)
        return webhooks.dead_letters()
    row = _client(context, data_dict, "khtourism_client_show")
    return webhooks.dead_letters(row["id"])


def khtourism_webhook_replay(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Deliver a subscription's changes again from a change-feed cursor (sysadmins);
    its dead letters are put back in line.

    :param id: the subscription
    :param cursor: change-feed cursor (``0``: from the beginning)
    """
    tk.check_access("khtourism_webhook_replay", context, data_dict)
    try:
        return webhooks.replay(str(data_dict.get("id") or ""), data_dict.get("cursor"))
    except ClientError as error:
        raise _refused(error) from error
