"""Blueprints of the extension (``@tk.blanket.blueprints`` reads ``__all__``)."""

from __future__ import annotations

# clients: the client-registry page (/ckan-admin/clients)
from ckanext.khtourism.clients.views import clients_admin

# dcat: record-type scheme, per-type catalogue and record RDF, registry exports
from ckanext.khtourism.dcat.views import dcat_room

# portal: statistics, registry downloads, DCAT catalogue and developers' pages
from ckanext.khtourism.portal.views import portal

# records: the sysadmins' log of accesses to personal data
from ckanext.khtourism.records.privacy_views import privacy_admin

# reporting: monthly visitor reports (business form and upload, curators' dashboard)
from ckanext.khtourism.reporting.views import visitor_reports

# security: response headers on every page, uploads served as attachments
from ckanext.khtourism.security.headers import security_headers

# harvesting: ckanext-harvest's state-changing pages need POST + CSRF token
from ckanext.khtourism.views.harvest_guard import harvest_guard

# records: curator queue, business dashboard, revision diff, workflow buttons
from ckanext.khtourism.workflow.views import workflow

__all__ = [
    "workflow",
    "dcat_room",
    "security_headers",
    "harvest_guard",
    "privacy_admin",
    "portal",
    "visitor_reports",
    "clients_admin",
]
