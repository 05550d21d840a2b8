"""What follows the filing, as calendar events: every dated duty and step, each naming its article.

Events come from the assessment's dates alone (due dates of duties, dated steps per product, the
display of the number per product form once the review can end); nothing is counted here.
Periodic reviews (ARP Art. 8, yearly in practice) repeat yearly from the first filing due date.
UIDs and order derive from the content, so the same assessment gives the same calendar byte for
byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from engine.drafts.facts import Facts
from engine.drafts.model import CalendarEvent
from engine.model.assessment import ObligationOut, StepOut

SUMMARY_CHARS = 40
"""A calendar's event title shows about this much; the full duty is in the description."""

_EVENT = {"launch": ("上线", "launch"), "change": ("变更", "change"), "termination": ("终止", "termination")}


def _short(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


def _uid(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24] + "@algo-filing"


def _basis(facts: Facts, duty: ObligationOut | StepOut) -> str:
    if isinstance(duty, StepOut):
        return facts.t(duty.statute) if duty.statute is not None else ""
    return facts.join(facts.t(ref.citation) for ref in duty.basis)


def _duty_events(facts: Facts) -> list[CalendarEvent]:
    out = []
    for duty in facts.assessment.obligations:
        for due in duty.due:
            day = due.date or due.estimate
            if day is None:
                continue
            event = _EVENT[due.event][0 if facts.lang == "zh" else 1]
            product = facts.product(due.product.index).name
            title = _short(facts.t(duty.title))
            summary = f"{product}：{title}" if facts.lang == "zh" else f"{product}: {title}"
            counted = (f"自{event} {due.event_date.isoformat()} 起第{due.working_days}个工作日" if facts.lang == "zh"
                       else f"working day {due.working_days} after {event} on {due.event_date.isoformat()}")
            description = f"{facts.t(duty.title)}\n{_basis(facts, duty)}\n{counted}"
            out.append(CalendarEvent(uid=_uid("duty", duty.id, str(due.product.index), due.event, day.isoformat()),
                                     start=day, summary=summary, description=description))
    return out


def _step_events(facts: Facts) -> list[CalendarEvent]:
    out = []
    for step in facts.assessment.steps:
        for dated in step.dates:
            product = facts.product(dated.product.index).name
            end = dated.statutory_by or dated.practice_to
            window = end if end is not None and end > dated.start else None
            summary = f"{product}：{facts.t(step.title)}" if facts.lang == "zh" else f"{product}: {facts.t(step.title)}"
            description = "\n".join(x for x in (facts.t(step.what), _basis(facts, step), facts.t(dated.start_is)) if x)
            out.append(CalendarEvent(uid=_uid("step", step.id, str(dated.product.index), dated.start.isoformat()),
                                     start=dated.start, end=window, summary=summary, description=description))
    return out


def _display_checks(facts: Facts) -> list[CalendarEvent]:
    """Each product form's display of the number, checked once the number can be issued.

    The window runs from the end of the review's statutory period to the practice's longest
    review (both dates are the assessment's review step for that product).
    """
    review = next((s for s in facts.assessment.steps if s.id == "review"), None)
    if review is None:
        return []
    out = []
    for dated in review.dates:
        start = dated.statutory_by or dated.practice_from
        if start is None:
            continue
        product = facts.product(dated.product.index).name
        for place in (d for d in facts.assessment.display if d.product == product):
            form = facts.t(place.form_label) if place.form_label is not None else place.form
            summary = (f"{product}（{form}）：检查备案编号展示" if facts.lang == "zh"
                       else f"{product} ({form}): check the filing number is displayed")
            basis = facts.join(facts.t(ref.citation) for ref in place.basis)
            end = dated.practice_to if dated.practice_to is not None and dated.practice_to > start else None
            out.append(CalendarEvent(uid=_uid("display", str(dated.product.index), place.form, start.isoformat()),
                                     start=start, end=end, summary=summary,
                                     description=f"{facts.t(place.location)}\n{basis}"))
    return out


def _reviews(facts: Facts, first: dt.date | None) -> list[CalendarEvent]:
    review = next((d for d in facts.assessment.obligations if d.id == "arp_8"), None)
    if review is None or first is None:
        return []
    summary = "算法定期审核评估（实务：每年）" if facts.lang == "zh" else "Periodic algorithm review (practice: yearly)"
    return [CalendarEvent(uid=_uid("review", first.isoformat()), start=first.replace(year=first.year + 1)
                          if not (first.month == 2 and first.day == 29) else dt.date(first.year + 1, 2, 28),
                          summary=summary, description=f"{facts.t(review.title)}\n{_basis(facts, review)}",
                          yearly=True)]


def events(facts: Facts) -> list[CalendarEvent]:
    """Every dated event, sorted by date and then by summary."""
    duties = _duty_events(facts)
    first = min((e.start for e in duties), default=None)
    dated = duties + _step_events(facts) + _display_checks(facts) + _reviews(facts, first)
    return sorted(dated, key=lambda e: (e.start, e.summary, e.uid))
