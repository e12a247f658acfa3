"""``ckanext.khtourism.search.engine = solr``: stock CKAN behaviour, talking to Solr.

No Solr runs here: a local HTTP server on 127.0.0.1 stands in for the Solr core,
records what CKAN sends and answers as Solr does (an empty result, or the Solr 9
response in ``fixtures/solr9_select_khach_san.json``: the shape of a Solr 9.x
``/select`` answer to CKAN's dataset query, written by hand after Solr's JSON
response writer — no Solr could be run to record one). The tests prove that
switching the engine hands every search and index write to CKAN's own Solr client,
that the PostgreSQL index is then neither read nor written, and that searches Solr
cannot answer (radius, polygon, bbox without ckanext-spatial) are refused instead
of being answered unfiltered.
"""

from __future__ import annotations

import json
import pathlib
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.logic import ValidationError
from ckan.tests import factories, helpers

from tests.serving import serve_in_thread


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


RECORDED = pathlib.Path(__file__).parent / "fixtures" / "solr9_select_khach_san.json"


class _SolrStandIn(BaseHTTPRequestHandler):
    received: list[dict] = []
    select_answer: dict = EMPTY_RESULT

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
            payload, content_type = json.dumps(self.select_answer).encode(), "application/json"
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
    _SolrStandIn.select_answer = EMPTY_RESULT
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _SolrStandIn)
    serve_in_thread(server)
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


solr_engine = pytest.mark.ckan_config("ckanext.khtourism.search.engine", "solr")
solr_url = pytest.mark.ckan_config("solr_url", SOLR_URL)


@solr_engine
@solr_url
@pytest.mark.usefixtures("solr_stand_in", "with_plugins")
def test_solr_answers_are_returned_as_solr_gave_them(solr_stand_in):
    _SolrStandIn.select_answer = json.loads(RECORDED.read_text())
    result = helpers.call_action("package_search", q="khach san", **{"facet.field": ["tags"]})
    assert result["count"] == 1
    assert [r["name"] for r in result["results"]] == ["khach-san-bien-xanh"]
    assert result["facets"]["tags"] == {"biển": 1}


@pytest.mark.parametrize(
    "extras, param",
    [
        ({"ext_lat": "12.25", "ext_lon": "109.19", "ext_radius": "5000"}, "ext_lat"),
        ({"ext_radius": "5000"}, "ext_radius"),
        (
            {
                "ext_polygon": json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [[[109, 12], [110, 12], [110, 13], [109, 12]]],
                    }
                )
            },
            "ext_polygon",
        ),
        ({"ext_bbox": "109,12,110,13"}, "ext_bbox"),
    ],
)
@solr_engine
@solr_url
@pytest.mark.usefixtures("solr_stand_in", "with_plugins")
def test_spatial_searches_solr_cannot_answer_are_refused(solr_stand_in, extras, param):
    """CKAN drops ext_lat/ext_lon/ext_radius and ext_polygon before asking Solr: the
    answer would be every dataset. Refused, naming the parameter, and Solr not asked."""
    _SolrStandIn.select_answer = json.loads(RECORDED.read_text())
    with pytest.raises(ValidationError) as error:
        helpers.call_action("package_search", q="khach san", extras=extras)
    assert list(error.value.error_dict) == [param]
    message = error.value.error_dict[param][0]
    assert message.startswith(f"{param}:") and "Solr" in message
    assert not [r for r in solr_stand_in if r["path"].endswith("/select")]


@solr_engine
@solr_url
@pytest.mark.usefixtures("solr_stand_in", "with_plugins")
def test_the_tourism_api_refuses_a_radius_search_on_solr_in_the_users_language(app):
    _SolrStandIn.select_answer = json.loads(RECORDED.read_text())
    base = "/api/tourism/v1/accommodations?lat=12.2654&lon=109.1953&radius=1000"
    vietnamese = app.get(base)
    assert vietnamese.status_code == 400, vietnamese.get_data(as_text=True)
    error = vietnamese.json["error"]
    assert (error["code"], error["parameter"]) == ("invalid_query", "radius")
    assert "Solr" in error["message"] and "công cụ tìm kiếm" in error["message"]
    english = app.get(base + "&lang=en")
    assert english.status_code == 400
    assert (
        "radius: searching by map area or distance needs the portal's own search engine"
        in (english.json["error"]["message"])
    )
    # without spatial parameters the API is answered by Solr
    plain = app.get("/api/tourism/v1/accommodations?q=khach+san")
    assert plain.status_code == 200, plain.get_data(as_text=True)
