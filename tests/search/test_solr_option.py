"""``ckanext.khtourism.search.engine = solr``: stock CKAN behaviour, talking to Solr.

No Solr runs here: a local HTTP server on 127.0.0.1 stands in for the Solr core,
records what CKAN sends and answers as Solr does (an empty result). The test
proves that switching the engine hands every search and index write to CKAN's
own Solr client, and that the PostgreSQL index is then neither read nor written.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _free_port()
SOLR_URL = f"http://127.0.0.1:{PORT}/solr/ckan"
EMPTY_RESULT = {
    "responseHeader": {"status": 0, "QTime": 1},
    "response": {"numFound": 0, "start": 0, "docs": []},
    "facet_counts": {"facet_fields": {}},
}

SCHEMA = b'<?xml version="1.0" encoding="UTF-8"?>\n<schema name="ckan-2.11" version="1.6"/>'
UPDATE_ANSWER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<response><lst name="responseHeader">'
    b'<int name="status">0</int><int name="QTime">1</int></lst></response>'
)


class _SolrStandIn(BaseHTTPRequestHandler):
    received: list[dict] = []

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        url = urlsplit(self.path)._replace(path=urlsplit(self.path).path.rstrip("/"))
        params = parse_qs(url.query)
        if body and "form-urlencoded" in (self.headers.get("Content-Type") or ""):
            params.update(parse_qs(body))
        self.received.append(
            {"method": self.command, "path": url.path, "params": params, "body": body}
        )
        if url.path.endswith("/schema"):  # CKAN checks the schema version
            payload, content_type = SCHEMA, "application/xml"
        elif url.path.endswith("/select"):
            payload, content_type = json.dumps(EMPTY_RESULT).encode(), "application/json"
        else:  # pysolr reads Solr's XML answer to updates
            payload, content_type = UPDATE_ANSWER, "application/xml"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _record

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def solr_stand_in():
    _SolrStandIn.received = []
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _SolrStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _SolrStandIn.received
    server.shutdown()
    server.server_close()


def _pg_rows() -> int:
    return model.Session.execute(sa.text("SELECT count(*) FROM khtourism_search_doc")).scalar()


@pytest.mark.ckan_config("ckanext.khtourism.search.engine", "solr")
@pytest.mark.ckan_config("solr_url", SOLR_URL)
@pytest.mark.usefixtures("solr_stand_in", "with_plugins")
def test_the_solr_engine_sends_searches_and_index_writes_to_solr(solr_stand_in):
    rows_before = _pg_rows()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], title="Khách sạn Biển Xanh")

    writes = [r for r in solr_stand_in if "/update" in r["path"]]
    assert writes, "the dataset was not sent to Solr"
    assert any(dataset["id"] in r["body"] for r in writes)

    result = helpers.call_action("package_search", q="khach san", fq="tags:beach")
    assert result["count"] == 0  # Solr's answer, not the PostgreSQL index's
    selects = [r for r in solr_stand_in if r["path"].endswith("/select")]
    assert selects, "package_search did not query Solr"
    query = selects[-1]["params"]
    assert query["q"] == ["khach san"]
    assert query["defType"] == ["dismax"]
    assert any("tags:beach" in value for value in query["fq"])
    # our engine was not involved
    assert _pg_rows() == rows_before


@pytest.mark.usefixtures("with_plugins")
def test_the_default_engine_needs_no_solr():
    from ckanext.khtourism.search import engine, make_connection
    from ckanext.khtourism.search.connection import PostgresConnection

    assert engine() == "postgres"
    assert isinstance(make_connection(), PostgresConnection)
