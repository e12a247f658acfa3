"""The registry dataset of the open visitor statistics (``visitor-statistics``): a
normal CKAN dataset published by the Department, whose distributions are the public
statistics endpoint in CSV and JSON, and the CSV-on-the-Web description of the CSV's
columns; ``temporal_start``/``temporal_end`` (the months
with accepted reports) and ``spatial`` (the province) become ``dct:temporal`` and
``dct:spatial`` in its DCAT description (ckanext-dcat's DCAT-AP profile). Revenue is in
none of it. Refreshed when a report is accepted and by
``ckan khtourism statistics refresh-dataset``."""

from __future__ import annotations

import calendar
import json
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.khtourism.core import jobs as background_jobs  # the refresh queued once
from ckanext.khtourism.dcat import registry as dcat_registry
from ckanext.khtourism.dcat import vocabulary as dcat_vocabulary
from ckanext.khtourism.records.geo import province_boxes

from . import aggregates, indicators, reports

NAME = "visitor-statistics"
API_PATH = "/api/tourism/v1/statistics/visitors"
COLUMNS_VI = (
    "Các cột: month (tháng), admin_unit (mã xã/phường 2025), accommodation_type (loại cơ sở), "
    "establishments (số cơ sở), overnight_international/overnight_domestic (khách lưu trú "
    "qua đêm quốc tế/trong nước), sameday_international/sameday_domestic (khách trong ngày), "
    "guest_nights_international/guest_nights_domestic (ngày khách), room_nights_sold (đêm "
    "phòng đã bán), rooms_available (số buồng), room_nights_available, occupancy (công suất "
    "sử dụng phòng), suppressed (ô bị ẩn vì ít hơn 3 cơ sở hoặc để không suy ra được ô bị ẩn). "
    "Dòng level=travel: tổng toàn tỉnh của doanh nghiệp lữ hành trong tháng — businesses (số "
    "doanh nghiệp), tours_inbound/outbound/domestic (số chuyến), guests_inbound/outbound/"
    "domestic (lượt khách); bị ẩn khi ít hơn 3 doanh nghiệp; không chia theo xã/phường."
)
COLUMNS_EN = (
    "Columns: month, admin_unit (2025 commune code), accommodation_type, establishments, "
    "overnight/same-day guests and guest-nights (international, domestic), room_nights_sold, "
    "rooms_available, room_nights_available, occupancy, suppressed (a cell built from fewer "
    "than 3 establishments, or one it could be derived from). Rows of level=travel: the "
    "travel businesses' province total of the month — businesses, tours and guests served "
    "(inbound, outbound, domestic); suppressed under 3 businesses; not by commune."
)


def _months() -> tuple[str | None, str | None]:
    row = model.Session.execute(
        sa.text(
            "SELECT min(period), max(period) FROM khtourism_visitor_report"
            " WHERE state = :state AND kind = :kind"
        ),
        {"state": reports.ACCEPTED, "kind": indicators.ACCOMMODATION},
    ).one()
    return row[0], row[1]


def _province_polygon() -> dict[str, Any]:
    boxes = province_boxes()
    west = min(b["west"] for b in boxes)
    east = max(b["east"] for b in boxes)
    south = min(b["south"] for b in boxes)
    north = max(b["north"] for b in boxes)
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ],
    }


def dataset_dict(owner_org: str) -> dict[str, Any]:
    first, last = _months()
    base = dcat_vocabulary.base_uri()
    query = f"from={first}&to={last}&group_by=month,admin_unit,accommodation_type" if first else ""
    extras = [
        {"key": "spatial", "value": json.dumps(_province_polygon())},
        {"key": "spatial_text", "value": "Khánh Hòa"},
    ]
    if first and last:
        year, month = (int(part) for part in last.split("-"))
        extras += [
            {"key": "temporal_start", "value": f"{first}-01"},
            {
                "key": "temporal_end",
                "value": f"{last}-{calendar.monthrange(year, month)[1]:02d}",
            },
        ]
    return {
        "name": NAME,
        "type": "dataset",
        "title": "Thống kê khách du lịch lưu trú hằng tháng tỉnh Khánh Hòa",
        "notes": (
            "Tổng hợp hằng tháng từ báo cáo của cơ sở lưu trú đã được Sở chấp nhận, theo "
            "xã/phường và loại cơ sở; ô từ ít hơn "
            f"{aggregates.THRESHOLD} cơ sở bị ẩn.\n\n{COLUMNS_VI}\n\n"
            "Monthly visitor statistics of accommodation establishments in Khánh Hòa "
            "(accepted reports), by commune and accommodation type; cells from fewer than "
            f"{aggregates.THRESHOLD} establishments are suppressed.\n\n{COLUMNS_EN}"
        ),
        "owner_org": owner_org,
        "private": False,
        "license_id": "cc-by-4.0",
        "url": f"{base}/thong-ke#visitors",
        "tags": [{"name": "du-lich"}, {"name": "tourism"}, {"name": "thong-ke"}],
        "extras": extras,
        "resources": [
            {
                "name": f"Thống kê khách ({label})",
                "url": f"{base}{API_PATH}?{query}{suffix}",
                "format": label,
                "mimetype": mimetype,
            }
            for label, mimetype, suffix in (
                ("CSV", "text/csv", "&format=csv"),
                ("JSON", "application/json", ""),
            )
        ]
        + [
            {
                "name": "Mô tả các cột của tệp CSV (CSVW) / CSV column descriptions (CSVW)",
                "description": (
                    "Mô tả W3C CSV on the Web (JSON-LD): tên, tiêu đề tiếng Việt và tiếng Anh, "
                    "kiểu dữ liệu của từng cột; ô trống là số liệu bị ẩn hoặc không áp dụng. / "
                    "W3C CSV on the Web description (JSON-LD) of every column: name, Vietnamese "
                    "and English titles, datatype; an empty cell is a suppressed or not "
                    "applicable value."
                ),
                "url": f"{base}{API_PATH}/csv-metadata.json?{query}&format=csv",
                "format": "CSVW",
                "mimetype": "application/csvm+json",
            }
        ],
    }


def refresh() -> dict[str, Any]:
    """Create or update the registry dataset of the visitor statistics."""
    context = {"user": dcat_registry._site_user()["name"], "ignore_auth": True}
    data = dataset_dict(dcat_registry._publisher_organization(dict(context)))
    existing = model.Package.get(NAME)
    if existing is not None:
        data["id"] = existing.id
        data["state"] = "active"
        current = tk.get_action("package_show")(dict(context), {"id": existing.id})
        by_format = {r["format"]: r["id"] for r in current.get("resources", [])}
        for resource in data["resources"]:
            if resource["format"] in by_format:
                resource["id"] = by_format[resource["format"]]
        return tk.get_action("package_update")(dict(context), data)
    return tk.get_action("package_create")(dict(context), data)


def refresh_job() -> None:
    """Background job (``ckan jobs worker``): queued when a report is accepted."""
    refresh()


def queue_refresh() -> None:
    from redis.exceptions import RedisError

    try:
        background_jobs.enqueue_once(
            refresh_job,
            [],
            job_id="khtourism-visitor-statistics",
            title="khtourism: refresh the visitor statistics dataset",
        )
    except RedisError:  # a queue outage must not fail the curator's acceptance
        import logging

        logging.getLogger(__name__).exception("Could not queue the statistics refresh")
