"""Reading a udt:DateTimeType in every form the standard allows: ``udt:DateTimeString`` with no format (ISO
8601: date, date and time, with or without seconds, fraction, ``Z`` or an offset), with a UN/EDIFACT 2379
``format`` code (102 CCYYMMDD, 203 CCYYMMDDHHMM, 204 CCYYMMDDHHMMSS), or empty; or ``udt:DateTime``
(an XML Schema dateTime). The schema allows any string; whether the hub can make a point in time of it is
said by the reading (None when it cannot)."""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from singlewindow.adapters.phytosanitary.ephyto.names import NS

_EDIFACT_2379 = {"102": ("%Y%m%d", 8), "203": ("%Y%m%d%H%M", 12), "204": ("%Y%m%d%H%M%S", 14)}
ISO_FORMATS = ("", "ISO", "ISO8601", "ISO 8601")


def _iso(text: str) -> str | None:
    try:
        return datetime.fromisoformat(text).isoformat() if "T" in text else date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def normalised(text: str, format_code: str) -> str | None:
    """``text`` in ISO 8601, or None when it is not a point in time in the format it declares."""
    if format_code in _EDIFACT_2379:
        pattern, digits = _EDIFACT_2379[format_code]
        if not (text.isascii() and text.isdigit() and len(text) == digits):
            return None  # strptime alone would take 12 digits for 14 (it reads "10" "0" "0" as 10:00:00)
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            return None
        return moment.date().isoformat() if format_code == "102" else moment.isoformat()
    return _iso(text) if format_code.strip().upper() in ISO_FORMATS and text else None


def read(node: etree._Element | None) -> tuple[str, str, str | None]:
    """(as written, format code, ISO 8601 or None) of a DateTimeType element; empty strings when absent."""
    if node is None:
        return "", "", None
    string = node.find("udt:DateTimeString", NS)
    if string is not None:
        text, format_code = (string.text or "").strip(), string.get("format", "")
        return text, format_code, normalised(text, format_code)
    moment = node.find("udt:DateTime", NS)
    text = (moment.text or "").strip() if moment is not None else ""
    return text, "", _iso(text) if text else None
