"""Demo figures: a year of plausible monthly reports for the demo establishments
(the published accommodation and tour operators of the demo businesses,
``records/demo.py``), every report marked ``demo`` — the statistics page and the API
say so. Seasonal (Khánh Hòa's peaks: Tết and June–August), deterministic per
establishment, accepted by the site user. ``ckan khtourism statistics demo``; also run
by ``ckan khtourism demo load``."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.records import demo as record_demo

from . import checks, dashboard, indicators, reports
from .model import now

MARKETS = (("KR", 0.38), ("CN", 0.22), ("RU", 0.14), ("US", 0.06), ("AU", 0.05), ("IN", 0.04))
SEASON = {1: 0.15, 2: 0.2, 3: 0.0, 4: 0.05, 5: 0.1, 6: 0.25, 7: 0.3, 8: 0.25, 9: -0.1}


def _demo_establishments() -> list[reports.Establishment]:
    names = [b["name"] for b in record_demo.BUSINESSES]
    identifiers = model.Session.execute(
        sa.text(
            """
            SELECT e.value FROM package_extra e
            JOIN package p ON p.id = e.package_id
            JOIN "group" g ON g.id = p.owner_org
            JOIN package_extra w ON w.package_id = p.id AND w.key = 'workflow_state'
            WHERE e.key = 'establishment_id' AND e.state = 'active' AND p.state = 'active'
              AND g.name = ANY(:names) AND w.value = 'published'
            """
        ),
        {"names": names},
    ).scalars()
    found = reports.establishments(identifiers)
    return [found[key] for key in sorted(found)]


def figures(place: reports.Establishment, period: str) -> dict[str, Any]:
    rng = random.Random(f"{place.establishment_id}-{period}")
    month = int(period[5:])
    days = checks.days_in(period)
    if place.kind == indicators.TRAVEL:
        scale = 1 + SEASON.get(month, -0.05)
        inbound = int(rng.randint(20, 60) * scale)
        return {
            "tours_inbound": inbound,
            "tours_outbound": rng.randint(2, 12),
            "tours_domestic": int(rng.randint(10, 40) * scale),
            "guests_inbound": inbound * rng.randint(8, 16),
            "guests_outbound": rng.randint(20, 150),
            "guests_domestic": int(rng.randint(150, 600) * scale),
        }
    rooms = place.rooms or 20
    occupancy = min(0.95, max(0.2, 0.55 + SEASON.get(month, -0.05) + rng.uniform(-0.08, 0.08)))
    sold = int(rooms * days * occupancy)
    guest_nights = int(sold * rng.uniform(1.5, 1.9))
    international_share = rng.uniform(0.25, 0.45)
    nights_intl = int(guest_nights * international_share)
    nights_dom = guest_nights - nights_intl
    overnight_intl = max(1, int(nights_intl / rng.uniform(2.5, 3.5)))
    overnight_dom = max(1, int(nights_dom / rng.uniform(1.8, 2.4)))
    nationalities = {
        code: math.floor(overnight_intl * share * rng.uniform(0.85, 1.0)) for code, share in MARKETS
    }
    return {
        "overnight_international": overnight_intl,
        "overnight_domestic": overnight_dom,
        "sameday_international": rng.randint(0, 10),
        "sameday_domestic": rng.randint(0, 40),
        "guest_nights_international": nights_intl,
        "guest_nights_domestic": nights_dom,
        "room_nights_sold": sold,
        "rooms_available": rooms,
        "revenue_international": nights_intl * rng.randint(600, 1400) * 1000,
        "revenue_domestic": nights_dom * rng.randint(400, 900) * 1000,
        "nationalities": nationalities,
    }


def load(months: int = 12, log: Callable[[str], None] = print) -> dict[str, int]:
    """Reports for the ``months`` months up to last month; existing reports kept."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    last = dashboard.shift(reports.local_date(now()).strftime("%Y-%m"), -1)
    periods = [dashboard.shift(last, -offset) for offset in range(months - 1, -1, -1)]
    created = 0
    places = _demo_establishments()
    for place in places:
        for period in periods:
            if reports.find(place.establishment_id, period) is not None:
                continue
            checked = checks.check(figures(place, period), place.kind, period, place.rooms)
            report = reports.save_checked(
                place, period, checked, site_user, curator=True, demo=True
            )
            reports.submit(report, site_user)
            reports.accept(report, site_user)
            report.submitted_at = report.reviewed_at = reports.model_time(period)
            created += 1
    model.Session.commit()
    log(f"Demo visitor reports: {created} created for {len(places)} establishments.")
    return {"establishments": len(places), "created": created}
