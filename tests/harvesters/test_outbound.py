"""Outbound requests (SSRF) and resource bounds of harvesting (issue 14).

The test configuration lets the fixture servers on 127.0.0.0/8 be reached
(``ckanext.khtourism.outbound.allowed_hosts``); tests that prove a refusal clear that
list (``GUARD_ON``): the production default.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import time
import zipfile

import pytest
import rdflib
import requests

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.harvest.model import HarvestObject

from ckanext.khtourism import outbound
from ckanext.khtourism.harvesters.sources import SourceError, arcgis, http, spreadsheet, wfs
from tests.harvesters.harvest_fixtures import FixtureServer, Reply, create_source, run_job

ALLOWED_HOSTS = "ckanext.khtourism.outbound.allowed_hosts"
GUARD_ON = pytest.mark.ckan_config(ALLOWED_HOSTS, "")
SECRET = b"INTERNAL-SECRET-db_password=hunter2"
HOTELS = {"record_type": "accommodation", "publish": "direct"}
INTERNAL_CSV = (
    f"Tên cơ sở,Mã số doanh nghiệp,Địa chỉ\r\n{SECRET.decode()},4201234567,12 Trần Phú\r\n".encode()
)


def _internal_service(fixture_server) -> str:
    """An "internal" service on 127.0.0.1 whose body holds a secret."""
    return fixture_server.handler(
        "/internal/export.csv", lambda _q: Reply(INTERNAL_CSV, content_type="text/csv")
    )


def _everything_stored(job_id: str, result) -> str:
    texts = [*result.gather_errors, *result.object_errors()]
    for obj in HarvestObject.filter(harvest_job_id=job_id).all():
        texts.append(obj.content or "")
    return "\n".join(texts)


# --- item 1: SSRF ----------------------------------------------------------------------------
INTERNAL_URLS = [
    "http://127.0.0.1:8080/internal/export.csv",
    "http://localhost/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]/",
    "http://10.0.0.5/",
    "http://100.64.0.1/",
    "http://0.0.0.0:5432/",
    "file:///etc/passwd",
    "/etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL",
]


def _refused_at_save(source_type: str, url: str) -> None:
    org = factories.Organization()
    config = HOTELS if "khtourism" in source_type else {}
    with pytest.raises(tk.ValidationError) as raised:
        create_source(source_type, url, config, owner_org=org["id"])
    assert list(raised.value.error_dict) == ["url"]
    message = raised.value.error_dict["url"][0]
    assert "the portal does not contact" in message or "cổng dữ liệu không truy cập" in message


@pytest.mark.usefixtures("with_plugins", "clean_db")
@GUARD_ON
def test_harvest_source_pointing_inside_is_refused_when_saved():
    for url in INTERNAL_URLS:
        _refused_at_save("khtourism_spreadsheet", url)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@GUARD_ON
@pytest.mark.parametrize(
    "source_type", ["khtourism_arcgis", "khtourism_ckan", "khtourism_dcat", "ckan", "dcat_rdf"]
)
def test_every_source_type_checks_the_url_when_saved(source_type):
    _refused_at_save(source_type, "http://localhost:5000/api/3/action/package_search")
    _refused_at_save(source_type, "/etc/passwd")


@pytest.mark.usefixtures("with_plugins", "clean_db")
@GUARD_ON
def test_harvest_source_update_to_an_internal_url_is_refused(ckan_config):
    org = factories.Organization()
    ckan_config[ALLOWED_HOSTS] = "127.0.0.1"
    source = create_source(
        "khtourism_spreadsheet", "http://127.0.0.1:1/a.csv", HOTELS, owner_org=org["id"]
    )
    ckan_config[ALLOWED_HOSTS] = ""
    sysadmin = factories.Sysadmin()
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action(
            "harvest_source_patch",
            {"user": sysadmin["name"]},
            id=source["id"],
            url="http://127.0.0.1:2/b.csv",
        )
    assert "url" in raised.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("source_type", ["khtourism_spreadsheet", "ckan", "dcat_rdf"])
def test_source_saved_earlier_is_refused_at_gather_and_nothing_leaks(
    fixture_server, ckan_config, source_type
):
    """A source saved when the service was allowed (or whose DNS changed since): the
    connection itself is checked; nothing of the internal answer reaches the portal."""
    org = factories.Organization()
    url = _internal_service(fixture_server)
    source = create_source(
        source_type, url, HOTELS if "khtourism" in source_type else {}, owner_org=org["id"]
    )
    ckan_config[ALLOWED_HOSTS] = ""
    result = run_job(source)
    assert result.job.status == "Finished"
    assert result.objects == {}
    assert any("refused" in e for e in result.gather_errors), result.gather_errors
    assert SECRET.decode() not in _everything_stored(result.job.id, result)
    assert fixture_server.requests == []  # never contacted
    found = helpers.call_action("package_search", q="hunter2", include_private=True)
    assert found["count"] == 0


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_redirect_to_an_internal_host_is_refused(fixture_server, ckan_config):
    internal = FixtureServer("127.0.0.2")
    internal.thread.start()
    try:
        target = internal.handler(
            "/export.csv", lambda _q: Reply(INTERNAL_CSV, content_type="text/csv")
        )
        url = fixture_server.handler(
            "/public.csv", lambda _q: Reply(b"", 302, headers={"Location": target})
        )
        ckan_config[ALLOWED_HOSTS] = "127.0.0.1"  # the "public" server only
        org = factories.Organization()
        source = create_source("khtourism_spreadsheet", url, HOTELS, owner_org=org["id"])
        result = run_job(source)
        assert result.objects == {}
        assert any("127.0.0.2" in e and "refused" in e for e in result.gather_errors), (
            result.gather_errors
        )
        assert internal.requests == []
        assert SECRET.decode() not in _everything_stored(result.job.id, result)
    finally:
        internal.httpd.shutdown()
        internal.httpd.server_close()


def test_the_address_connected_to_is_the_address_checked(fixture_server, monkeypatch):
    """DNS rebinding: a name that answers an allowed address first and an internal one
    next. The host is resolved once per connection and the connection goes to the
    address that was checked."""
    fixture_server.handler("/data.json", lambda _q: Reply(b'{"ok": true}'))
    port = fixture_server.httpd.server_address[1]
    real = socket.getaddrinfo
    calls = []

    def rebinding(host, *args, **kwargs):
        if host == "rebind.example":
            calls.append(host)
            address = "127.0.0.1" if len(calls) == 1 else "127.0.0.2"
            return real(address, *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    rules = outbound.Policy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    response = outbound.fetch(f"http://rebind.example:{port}/data.json", rules=rules)
    assert response.json() == {"ok": True}
    assert calls == ["rebind.example"]
    with pytest.raises(outbound.AddressRefused, match="127.0.0.2"):
        outbound.fetch(f"http://rebind.example:{port}/data.json", rules=rules)


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
    ],
)
def test_public_address_classification(address, public):
    assert outbound.is_public(ipaddress.ip_address(address)) is public


def test_only_http_and_https():
    rules = outbound.Policy(allow_private=True)
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1/", "dict://x"):
        with pytest.raises(outbound.AddressRefused, match="only http and https"):
            outbound.check_url(url, rules)
    with pytest.raises(outbound.AddressRefused, match="passwords"):
        outbound.check_url("http://user:pw@example.org/", rules)


def test_http_errors_and_arcgis_errors_do_not_echo_the_remote_body(fixture_server):
    body = b"<html>" + SECRET + b" " + b"x" * 5000 + b"</html>"
    fixture_server.handler("/down", lambda _q: Reply(body, 500, "text/html"))
    with pytest.raises(SourceError) as raised:
        http.get(fixture_server.url("/down"))
    assert "HTTP 500" in str(raised.value)
    assert SECRET.decode() not in str(raised.value)

    layer = fixture_server.file("/arcgis/rest/services/Z/FeatureServer/0", "arcgis/layer.json")
    long_message = "secret:" + "y" * 5000 + "\n\x00\x1b[31m"
    fixture_server.handler(
        "/arcgis/rest/services/Z/FeatureServer/0/query",
        lambda _q: Reply(
            (
                '{"error": {"code": 500, "message": "'
                + long_message.replace("\n", "\\n")
                .replace("\x00", "\\u0000")
                .replace("\x1b", "\\u001b")
                + '", "details": []}}'
            ).encode()
        ),
    )
    with pytest.raises(SourceError) as raised:
        arcgis.read_layer(layer)
    message = str(raised.value)
    assert "ArcGIS error 500" in message
    assert len(message) < 400
    assert "\x00" not in message and "\x1b" not in message and "\n" not in message


# --- item 2: bounded downloads -----------------------------------------------------------------
def test_slow_drip_source_is_cut_at_the_total_timeout(fixture_server):
    """One byte every 0.2 s: each read succeeds, the request as a whole must not."""
    fixture_server.handler("/drip.csv", lambda _q: Reply(b"x" * 200, trickle=0.2))
    started = time.monotonic()
    with pytest.raises(SourceError, match="timed out after 1 s"):
        http.get(fixture_server.url("/drip.csv"), timeout=1)
    assert time.monotonic() - started < 3


def test_slow_drip_headers_are_cut_too(fixture_server):
    """The guarded session used for ckanext-dcat: the deadline covers headers and body,
    and the error is a requests exception that code written for requests handles."""
    fixture_server.handler("/drip.rdf", lambda _q: Reply(b"y" * 200, trickle=0.2))
    session = outbound.session(timeout=1)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.RequestException):
        session.get(fixture_server.url("/drip.rdf"), stream=True)
    assert time.monotonic() - started < 3


@pytest.mark.ckan_config("ckanext.khtourism.outbound.max_bytes", "1000")
def test_response_over_the_size_limit_is_refused(fixture_server):
    fixture_server.handler("/big.csv", lambda _q: Reply(b"a,b\r\n" * 1000, content_type="text/csv"))
    with pytest.raises(SourceError, match="larger than 1000 bytes"):
        http.get(fixture_server.url("/big.csv"))


def _endless_arcgis(fixture_server, name: str) -> str:
    layer = fixture_server.file(
        f"/arcgis/rest/services/{name}/FeatureServer/0", "arcgis/layer.json"
    )

    def page(query):
        offset = int(query.get("resultOffset", "0"))
        features = ",".join(
            f'{{"attributes": {{"OBJECTID": {offset + i}, "MA_DT": "DT-{offset + i}"}}, '
            f'"geometry": {{"x": 109.19, "y": 12.25}}}}'
            for i in range(2)
        )
        return Reply(
            f'{{"features": [{features}], "exceededTransferLimit": true, '
            f'"spatialReference": {{"wkid": 4326}}}}'.encode()
        )

    fixture_server.handler(f"/arcgis/rest/services/{name}/FeatureServer/0/query", page)
    return layer


@pytest.mark.ckan_config("ckanext.khtourism.harvest.max_records", "50")
def test_arcgis_server_that_never_stops_paging_is_capped_by_records(fixture_server):
    layer = _endless_arcgis(fixture_server, "Endless")
    with http.job_budget(), pytest.raises(SourceError, match="more than 50 records"):
        arcgis.read_layer(layer)
    assert len(fixture_server.requests) < 30  # layer + 26 pages, not 10,000


@pytest.mark.ckan_config("ckanext.khtourism.harvest.max_job_bytes", "5000")
def test_job_download_is_capped_in_bytes(fixture_server):
    layer = _endless_arcgis(fixture_server, "Heavy")
    with http.job_budget(), pytest.raises(SourceError, match="more than 5000 bytes in all"):
        arcgis.read_layer(layer)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.harvest.max_records", "50")
def test_endless_paging_ends_the_job_with_a_clear_error(fixture_server):
    org = factories.Organization()
    layer = _endless_arcgis(fixture_server, "Job")
    source = create_source(
        "khtourism_arcgis", layer, {"record_type": "heritage-site"}, owner_org=org["id"]
    )
    result = run_job(source)
    assert result.job.status == "Finished"
    assert result.objects == {}
    assert any("more than 50 records" in e for e in result.gather_errors), result.gather_errors


# --- item 3: entity expansion ------------------------------------------------------------------
def billion_laughs(depth: int = 9) -> str:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, depth + 1)
    ]
    return (
        '<?xml version="1.0"?>\n'
        f"<!DOCTYPE rdf:RDF [{''.join(entities)}]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">'
        '<dcat:Catalog rdf:about="http://example.org/catalog"><dcat:dataset>'
        '<dcat:Dataset rdf:about="http://example.org/ds/1">'
        f"<dct:title>&lol{depth};</dct:title><dct:identifier>ds-1</dct:identifier>"
        "</dcat:Dataset></dcat:dataset></dcat:Catalog></rdf:RDF>"
    )


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("rdf_format", ["xml", "application/rdf+xml"])
def test_rdflib_refuses_entity_declarations_within_a_second(rdf_format):
    started = time.monotonic()
    with pytest.raises(Exception, match="entity declarations are not allowed"):
        rdflib.Graph().parse(data=billion_laughs(), format=rdf_format)
    assert time.monotonic() - started < 1
    # an RDF/XML document without entities still parses (a DOCTYPE alone is harmless)
    plain = billion_laughs(1).replace("&lol1;", "Khánh Hòa").split("<!DOCTYPE", 1)
    plain = plain[0] + "<!DOCTYPE rdf:RDF>" + plain[1].split("]>", 1)[1]
    graph = rdflib.Graph().parse(data=plain, format=rdf_format)
    assert len(graph) == 5


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("source_type", ["dcat_rdf", "khtourism_dcat"])
def test_dcat_catalogue_entity_bomb_is_a_gather_error_within_a_second(fixture_server, source_type):
    org = factories.Organization()
    url = fixture_server.handler(
        "/catalog.rdf",
        lambda _q: Reply(billion_laughs().encode(), content_type="application/rdf+xml"),
    )
    config = {"rdf_format": "application/rdf+xml"}
    if source_type == "khtourism_dcat":
        config["record_type"] = "heritage-site"
    source = create_source(source_type, url, config, owner_org=org["id"])
    started = time.monotonic()
    result = run_job(source)
    assert time.monotonic() - started < 10  # the whole job; the parse itself is instant
    assert result.objects == {}
    assert any("entity declarations are not allowed" in e for e in result.gather_errors), (
        result.gather_errors
    )


def test_wfs_exception_report_with_entities_is_not_expanded(fixture_server):
    bomb = billion_laughs().replace("rdf:RDF", "ows:ExceptionReport")
    fixture_server.handler("/wfs", lambda _q: Reply(bomb.encode(), content_type="text/xml"))
    started = time.monotonic()
    with pytest.raises(SourceError, match="XML, not GeoJSON") as raised:
        wfs.read_features(fixture_server.url("/wfs"), "a:b")
    assert time.monotonic() - started < 1
    assert "lollol" not in str(raised.value)


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_part(data: bytes, name: str, rewrite) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = rewrite(content)
            target.writestr(info.filename, content)
    return out.getvalue()


HOTEL_ROWS = [["Tên cơ sở", "Mã số doanh nghiệp"], ["Khach san A", "4201234567"]]


def _entity_xlsx(padding: int = 0) -> bytes:
    """The worksheet part (openpyxl writes inline strings) with a billion-laughs DTD."""

    def add_bomb(xml: bytes) -> bytes:
        entities = billion_laughs().split("[", 1)[1].split("]>", 1)[0]
        comment = b"<!--" + b" " * padding + b"-->" if padding else b""
        doctype = f"<!DOCTYPE worksheet [{entities}]>".encode()
        return comment + doctype + xml.replace(b"Khach san A", b"&lol9;")

    return _rewrite_part(_xlsx_bytes(HOTEL_ROWS), "xl/worksheets/sheet1.xml", add_bomb)


@pytest.mark.parametrize("padding", [0, 100_000])
def test_xlsx_entity_bomb_is_refused_within_a_second(padding):
    """A DTD near the top of a part is refused by the container check; one hidden after
    100 KB of comment reaches openpyxl, whose defusedxml parser refuses it."""
    data = _entity_xlsx(padding)
    started = time.monotonic()
    with pytest.raises(SourceError, match="declares a DTD|declares XML entities"):
        spreadsheet.read_spreadsheet(data)
    assert time.monotonic() - started < 1


def test_xlsx_decompression_bomb_is_refused_before_reading():
    rows = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1_000_000

    def inflate(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")

    data = _rewrite_part(_xlsx_bytes(HOTEL_ROWS), "xl/worksheets/sheet1.xml", inflate)
    assert len(data) < 1_000_000
    started = time.monotonic()
    with pytest.raises(SourceError, match="decompression bomb"):
        spreadsheet.read_spreadsheet(data)
    assert time.monotonic() - started < 1


def test_xlsx_larger_than_the_uncompressed_limit_is_refused():
    data = _xlsx_bytes(HOTEL_ROWS)
    with pytest.raises(SourceError, match="decompresses to .* more than 1000"):
        spreadsheet.read_spreadsheet(data, max_uncompressed=1000)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_spreadsheet_with_more_rows_than_the_limit_is_refused(kind):
    rows = [HOTEL_ROWS[0]] + [[f"Khach san {i}", f"42{i:08d}"] for i in range(150)]
    if kind == "csv":
        data = "\r\n".join(",".join(map(str, row)) for row in rows).encode()
    else:
        data = _xlsx_bytes(rows)
    with pytest.raises(SourceError, match="more than 100 rows"):
        spreadsheet.read_spreadsheet(data, max_rows=100)
    assert len(spreadsheet.read_spreadsheet(data, max_rows=150).records) == 150


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.harvest.max_records", "100")
def test_register_over_the_row_limit_ends_the_job_with_a_clear_error(fixture_server):
    rows = "\r\n".join(f"Khach san {i},42{i:08d}" for i in range(150))
    url = fixture_server.handler(
        "/big.csv",
        lambda _q: Reply(
            ("Tên cơ sở,Mã số doanh nghiệp\r\n" + rows).encode(), content_type="text/csv"
        ),
    )
    org = factories.Organization()
    result = run_job(create_source("khtourism_spreadsheet", url, HOTELS, owner_org=org["id"]))
    assert result.objects == {}
    assert any("more than 100 rows" in e for e in result.gather_errors), result.gather_errors


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.harvest.max_errors_per_job", "10")
def test_errors_stored_per_job_are_capped_with_one_summary(fixture_server):
    header = "Tên cơ sở,Mã số doanh nghiệp,Địa chỉ,Hạng sao\r\n"
    rows = "\r\n".join(f"Khach san {i},42{i:08d},12 Trần Phú,mười" for i in range(30))
    url = fixture_server.handler(
        "/bad.csv", lambda _q: Reply((header + rows).encode(), content_type="text/csv")
    )
    org = factories.Organization()
    result = run_job(create_source("khtourism_spreadsheet", url, HOTELS, owner_org=org["id"]))
    assert len(result.objects) == 30
    assert set(result.statuses().values()) == {"errored"}  # the report still counts all 30
    assert len(result.object_errors()) == 10
    assert any("20 more errors not stored" in e for e in result.gather_errors), result.gather_errors


def test_generated_local_config_refuses_internal_addresses_unless_asked(tmp_path, monkeypatch):
    """make run's var/ckan.ini keeps the production default; KHTOURISM_OUTBOUND_ALLOWED_HOSTS
    opens hosts for local fixtures; make test's configuration opens the loopback."""
    import configparser

    from ckanext.khtourism.local import config_file

    def written(**kwargs) -> dict[str, str]:
        path = config_file.write_config(
            tmp_path / "ckan.ini",
            var_dir=tmp_path,
            sqlalchemy_url="postgresql://x@localhost/x",
            redis_url="redis://localhost:6379/0",
            port=5000,
            **kwargs,
        )
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path)
        return dict(parser["app:main"])

    monkeypatch.delenv("KHTOURISM_OUTBOUND_ALLOWED_HOSTS", raising=False)
    settings = written()
    assert settings["ckanext.khtourism.outbound.allow_private_addresses"] == "false"
    assert settings["ckanext.khtourism.outbound.allowed_hosts"] == ""
    monkeypatch.setenv("KHTOURISM_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1")
    assert written()["ckanext.khtourism.outbound.allowed_hosts"] == "127.0.0.1"
    assert tk.config.get(ALLOWED_HOSTS) == "127.0.0.0/8 ::1"  # this suite's configuration


def test_credentials_in_the_query_string_never_reach_an_error_message(fixture_server):
    fixture_server.handler("/query", lambda _q: Reply(b"{}", 500))
    with pytest.raises(SourceError) as raised:
        http.get(fixture_server.url("/query"), params={"f": "json", "token": "S3CRET-TOKEN"})
    assert "S3CRET-TOKEN" not in str(raised.value) and "token=***" in str(raised.value)
    with pytest.raises(SourceError) as raised:
        http.get("http://127.0.0.1:9/query?token=S3CRET-TOKEN", timeout=2)
    assert "S3CRET-TOKEN" not in str(raised.value)


def _failing_ckan_catalogue(fixture_server, count: int) -> str:
    """A remote CKAN whose ``count`` datasets each fail the import (a resource that is not an
    object: the CKAN harvester saves one object error each)."""
    import json

    results = [
        {
            "id": f"0b8f4c1e-5a41-4c8e-9d8a-{i:012d}",
            "name": f"bai-loi-{i}",
            "title": f"Bản ghi lỗi {i}",
            "type": "dataset",
            "metadata_modified": "2025-02-10T09:30:12.123456",
            "resources": ["not an object"],
        }
        for i in range(count)
    ]

    def search(query):
        page = results if query.get("start", "0") == "0" else []
        body = {"success": True, "result": {"count": len(page), "results": page}}
        return Reply(json.dumps(body).encode())

    fixture_server.handler("/api/3/action/package_search", search)
    return fixture_server.url("/")


def _failing_dcat_catalogue(fixture_server, count: int) -> str:
    """A DCAT catalogue whose ``count`` datasets each fail the import (a NUL in the title:
    ckanext-dcat saves two errors per dataset, the second after a rollback)."""
    datasets = ", ".join(f"<http://example.org/d{i}>" for i in range(count))
    body = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        f"<http://example.org/catalog> a dcat:Catalog ; dcat:dataset {datasets} .\n"
    )
    for i in range(count):
        body += (
            f'<http://example.org/d{i}> a dcat:Dataset ; dct:identifier "d{i}" ; '
            f'dct:title "Bản ghi lỗi {i} \\u0000" .\n'
        )
    return fixture_server.handler(
        "/catalog.ttl", lambda _q: Reply(body.encode(), content_type="text/turtle")
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.harvest.max_errors_per_job", "5")
@pytest.mark.parametrize("source_type", ["ckan", "dcat_rdf"])
def test_errors_of_the_stock_harvesters_are_capped_too(fixture_server, source_type):
    """ckanext-harvest's and ckanext-dcat's harvesters save errors through ckanext-harvest's
    ``HarvesterBase._save_object_error``: the same cap applies (``harvesters/guard.py``)."""
    org = factories.Organization()
    if source_type == "ckan":
        url, config = _failing_ckan_catalogue(fixture_server, 12), {}
    else:
        url, config = _failing_dcat_catalogue(fixture_server, 12), {"rdf_format": "text/turtle"}
    result = run_job(create_source(source_type, url, config, owner_org=org["id"]))
    assert len(result.objects) == 12, result.gather_errors
    assert set(result.statuses().values()) == {"errored"}  # the report still counts all 12
    summaries = [e for e in result.gather_errors if "more errors not stored" in e]
    assert len(summaries) == 1, result.gather_errors
    assert 1 <= len(result.object_errors()) <= 5, result.object_errors()
    if source_type == "ckan":  # one error per dataset: 5 stored, 7 counted only
        assert len(result.object_errors()) == 5
        assert summaries[0].startswith("7 lỗi khác") and "7 more errors not stored" in summaries[0]
