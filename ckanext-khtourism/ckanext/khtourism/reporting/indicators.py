"""The indicators of a monthly report, their labels and which are private.

Accommodation establishments report guests served (overnight and same-day, each
international and domestic), guest-nights, room-nights sold and rooms available
(occupancy = room-nights sold / (rooms × days of the month)), international guests by
nationality and revenue. Travel businesses report tours and guests served, inbound,
outbound and domestic. Revenue is private: only the business, curators and sysadmins
read it; it never enters a public output.
"""

from __future__ import annotations

ACCOMMODATION = "accommodation"
TRAVEL = "travel"
KINDS = (ACCOMMODATION, TRAVEL)
# the record type of an establishment -> the kind of report it files
KIND_OF_TYPE = {"accommodation": ACCOMMODATION, "tour-operator": TRAVEL}


def N_(msgid: str) -> str:
    return msgid


ACCOMMODATION_COUNTS = (
    "overnight_international",
    "overnight_domestic",
    "sameday_international",
    "sameday_domestic",
    "guest_nights_international",
    "guest_nights_domestic",
    "room_nights_sold",
    "rooms_available",
    "revenue_international",
    "revenue_domestic",
)
TRAVEL_COUNTS = (
    "tours_inbound",
    "tours_outbound",
    "tours_domestic",
    "guests_inbound",
    "guests_outbound",
    "guests_domestic",
)
ALL_COUNTS = ACCOMMODATION_COUNTS + TRAVEL_COUNTS
COUNTS = {ACCOMMODATION: ACCOMMODATION_COUNTS, TRAVEL: TRAVEL_COUNTS}
PRIVATE = ("revenue_international", "revenue_domestic")
# the counts the open aggregates sum (never revenue)
PUBLIC_ACCOMMODATION = tuple(name for name in ACCOMMODATION_COUNTS if name not in PRIVATE)

LABELS: dict[str, str] = {
    "establishment_id": N_("Establishment identifier"),
    "period": N_("Month"),
    "overnight_international": N_("International guests staying overnight"),
    "overnight_domestic": N_("Domestic guests staying overnight"),
    "sameday_international": N_("International same-day guests"),
    "sameday_domestic": N_("Domestic same-day guests"),
    "guest_nights_international": N_("Guest-nights of international guests"),
    "guest_nights_domestic": N_("Guest-nights of domestic guests"),
    "room_nights_sold": N_("Room-nights sold"),
    "rooms_available": N_("Rooms available"),
    "revenue_international": N_("Revenue from international guests (VND)"),
    "revenue_domestic": N_("Revenue from domestic guests (VND)"),
    "tours_inbound": N_("Inbound tours"),
    "tours_outbound": N_("Outbound tours"),
    "tours_domestic": N_("Domestic tours"),
    "guests_inbound": N_("Inbound guests served"),
    "guests_outbound": N_("Outbound guests served"),
    "guests_domestic": N_("Domestic guests served"),
    "nationalities": N_("International guests by nationality"),
    "reason": N_("Reason"),
}
