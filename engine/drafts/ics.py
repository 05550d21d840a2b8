"""The calendar of what follows the filing as an iCalendar file (``icalendar``).

DTSTAMP is the assessment's date, not the time of writing, so the same drafts give the same bytes.
"""

from __future__ import annotations

import datetime as dt

import icalendar

from engine.drafts.model import DraftSet


def calendar_ics(drafts: DraftSet) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//algo-filing//filing calendar//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{drafts.entity} 算法备案" if drafts.lang == "zh" else f"{drafts.entity} algorithm filing")
    stamp = dt.datetime(drafts.as_of.year, drafts.as_of.month, drafts.as_of.day, tzinfo=dt.UTC)
    for item in drafts.events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.start)
        event.add("dtend", (item.end or item.start) + dt.timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        if item.yearly:
            event.add("rrule", {"freq": "yearly"})
        cal.add_component(event)
    return bytes(cal.to_ical())
