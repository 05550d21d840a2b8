"""Due dates on the real calendar, from the dates in the answers.

The catalogue gives each statutory deadline as a count of working days from an event (launch,
change, termination: 算法推荐管理规定 Art. 24) and each process step its statutory and practice
durations. With the products' ``launch_date``, ``change_date`` and ``termination_date`` this
module turns them into dates: the working days come from :mod:`engine.pipeline.workdays` (State
Council holiday schedule, make-up working days included), the practice ranges are calendar days.

It dates the duties and steps the rules concluded (:func:`schedule` takes a finished assessment
and the answered dates the facts carry). It does apply legal conventions of its own, stated in
every dated report (:func:`convention`): the event day is not counted, an event before a
provision's entry into force is counted from that date, and the entity and review steps are
placed from the filing window the catalogue names, with the catalogue's text of why they start
there (``schedule.yaml``); the event-day and entry-into-force conventions and the prose of the
convention, calendar gaps and entry into force are still Python, not data (issue 23.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from engine.model.assessment import (
    Action,
    Algorithm,
    Assessment,
    CalendarInfo,
    DueDate,
    FilingDue,
    NextDue,
    ObligationOut,
    ProductRef,
    StepDates,
    StepOut,
    Target,
)
from engine.model.base import Text
from engine.pipeline.workdays import CalendarGapError, add_weekdays, add_working_days, calendar_version, covered_years
from engine.rules.catalogue import StepPlacement, StepStart

Event = Literal["launch", "change", "termination"]
EVENTS: tuple[Event, ...] = ("launch", "change", "termination")

_EVENT_WORDS: dict[str, tuple[str, str]] = {
    "launch": ("上线", "launch"),
    "change": ("变更", "change"),
    "termination": ("终止服务", "termination"),
}


def convention() -> CalendarInfo:
    """The counting convention and the calendar's coverage, as stated in every dated report."""
    first, last = covered_years()
    source = calendar_version()
    return CalendarInfo(
        source=source, covered_from=first, covered_to=last,
        convention=Text(
            zh=(f"工作日按国务院办公厅每年发布的节假日安排计算（含调休上班日），数据来自 {source}"
                f"（覆盖{first}–{last}年）。事件当日（上线、变更、终止服务或提交材料之日）不计入，其后第一个"
                "工作日为第1天，第N个工作日为期限届满日。法规未明确事件当日是否计入；如计入，届满日提前一个"
                "工作日，稳妥起见可按提前一日安排。超出覆盖年份的日期不作推算：不给出届满日，只给出按周一至"
                "周五估算的日期并注明，请以国务院办公厅当年通知为准。实务周期按自然日计算，仅供参考。"),
            en=(f"Working days follow the State Council's annual holiday notices, make-up working days "
                f"(调休) included, as encoded by {source} (covers {first}–{last}). The day of the event "
                "(launch, change, termination or submission) is not counted: day 1 is the first working "
                "day after it and the due date is the N-th working day. The provisions do not say whether "
                "the event day counts; if it does, the due date is one working day earlier, so plan for "
                "that day to be safe. Dates in years the calendar does not cover get no due date, only an "
                "estimate counting Monday–Friday, marked as such: check the State Council notice for that "
                "year. Practice ranges are calendar days and indicative only."),
        ),
    )


@dataclass
class EventDates:
    """The answered event dates, by position: what the root facts carry (:attr:`RootFact.dates`).

    ``products`` maps a product's position to its ``launch``, ``change`` and ``termination``
    dates (those given); ``features`` maps (product, feature) positions to the feature's own
    launch date, or None when it launched with its product.
    """

    products: dict[int, dict[str, dt.date]] = field(default_factory=dict)
    features: dict[tuple[int, int], dt.date | None] = field(default_factory=dict)


def _gap_note(gap: CalendarGapError, estimate: dt.date) -> Text:
    first, last = covered_years()
    year = gap.day.year
    return Text(
        zh=(f"{calendar_version()} 没有{year}年的放假安排（覆盖{first}–{last}年），无法给出届满日；"
            f"仅按周一至周五估算为 {estimate.isoformat()}，请以国务院办公厅{year}年通知为准"),
        en=(f"{calendar_version()} has no holiday schedule for {year} (it covers {first}–{last}), so no "
            f"due date is given; counting Monday–Friday only gives {estimate.isoformat()} as an estimate: "
            f"check the State Council's {year} notice"),
    )


def due_date(product: ProductRef, event: Event, event_date: dt.date, working_days: int) -> DueDate:
    """The due date ``working_days`` after ``event_date``, or an explained estimate."""
    try:
        date = add_working_days(event_date, working_days)
    except CalendarGapError as gap:
        estimate = add_weekdays(event_date, working_days)
        return DueDate(product=product, event=event, event_date=event_date, working_days=working_days,
                       date=None, estimate=estimate, note=_gap_note(gap, estimate))
    return DueDate(product=product, event=event, event_date=event_date, working_days=working_days, date=date)


def products_of(targets: Sequence[Target], of_algorithm: Mapping[str, Sequence[ProductRef]]) -> list[ProductRef]:
    """The products that ``targets`` cover (an algorithm covers its products), in answer order, once each."""
    found: dict[int, ProductRef] = {}
    for target in targets:
        if isinstance(target, ProductRef):
            found.setdefault(target.index, target)
        elif target.kind == "algorithm":
            for product in of_algorithm.get(target.id, ()):
                found.setdefault(product.index, product)
    return [found[i] for i in sorted(found)]


class _Products:
    """The assessment's targets resolved to answered products, by position, in answer order."""

    def __init__(self, assessment: Assessment, dates: EventDates, procedure_routes: Collection[str]) -> None:
        self.dates = dates
        self.of_algorithm = {a.id: a.products for a in assessment.algorithms}
        self.features_of = {a.id: a.feature_refs for a in assessment.algorithms}
        self.filed = self._sorted({p.index: p for a in assessment.algorithms for p in a.products})
        self.genai = self._sorted({p.index: p for a in assessment.algorithms
                                   if a.genai_route in procedure_routes for p in a.products})

    @staticmethod
    def _sorted(refs: dict[int, ProductRef]) -> list[ProductRef]:
        return [refs[i] for i in sorted(refs)]

    def events(self, ref: ProductRef) -> Mapping[str, dt.date]:
        """The answered event dates of the product a reference points to."""
        return self.dates.products.get(ref.index, {})

    def of_targets(self, targets: Sequence[Target]) -> list[ProductRef]:
        return products_of(targets, self.of_algorithm)

    def launches(self, targets: Sequence[Target]) -> list[tuple[ProductRef, dt.date]]:
        """(product, launch date) of every target: a product's own launch, or, for an algorithm whose
        features in that product all have their own launch date (features added later), the
        earliest of those; in product order, then by date."""
        found: dict[tuple[int, dt.date], ProductRef] = {}
        for target in targets:
            features = self.features_of.get(target.id, ()) if target.kind == "algorithm" else ()
            for ref in products_of([target], self.of_algorithm):
                own = [self.dates.features.get((f.product, f.index)) for f in features if f.product == ref.index]
                dated = [d for d in own if d is not None]
                when = min(dated) if own and len(dated) == len(own) else self.events(ref).get("launch")
                if when is not None:
                    found[(ref.index, when)] = ref
        return [(found[key], key[1]) for key in sorted(found)]


def _duty_in_force(ob: ObligationOut, in_force: Mapping[str, dt.date]) -> tuple[dt.date, str] | None:
    """The latest in-force date among the laws a duty rests on (a duty cannot run before it exists)."""
    dated = [(in_force[ref.law], ref.citation.zh) for ref in ob.basis if ref.law in in_force]
    return max(dated) if dated else None


def _before_in_force_note(event: Event, event_date: dt.date, start: dt.date, law: str) -> Text:
    zh_event, en_event = _EVENT_WORDS[event]
    return Text(
        zh=(f"{zh_event}日 {event_date.isoformat()} 早于{law.split('第')[0]}施行日 {start.isoformat()}："
            "期限自施行日起算"),
        en=f"the {en_event} on {event_date.isoformat()} predates the provision's entry into force on "
           f"{start.isoformat()}: the period is counted from that date")


def _date_obligation(ob: ObligationOut, products: _Products, in_force: Mapping[str, dt.date]) -> ObligationOut:
    deadline = ob.deadline
    if deadline is None or deadline.working_days is None or deadline.start not in EVENTS:
        return ob
    event: Event = deadline.start
    law_start = _duty_in_force(ob, in_force)
    due: list[DueDate] = []
    dated = (products.launches(ob.applies_to) if event == "launch" else
             [(ref, when) for ref in products.of_targets(ob.applies_to)
              if (when := products.events(ref).get(event)) is not None])
    for ref, when in dated:
        if law_start is not None and when < law_start[0]:
            counted = due_date(ref, event, law_start[0], deadline.working_days)
            due.append(counted.model_copy(update={
                "event_date": when,
                "note": counted.note or _before_in_force_note(event, when, law_start[0], law_start[1])}))
        else:
            due.append(due_date(ref, event, when, deadline.working_days))
    return ob.model_copy(update={"due": tuple(due)}) if due else ob


def _filing_days(assessment: Assessment, window: Sequence[str]) -> int | None:
    """The working days allowed to file after launch: those of the first duty of ``window`` (the
    rulebook's ``filing_window``, ``rules/catalogue/schedule.yaml``) the assessment concludes."""
    concluded = {ob.id: ob for ob in assessment.obligations}
    for duty in window:
        ob = concluded.get(duty)
        if ob is not None and ob.deadline is not None and ob.deadline.working_days:
            return ob.deadline.working_days
    return None


def _at(start: dt.date, days: int | None) -> dt.date | None:
    return start + dt.timedelta(days=days) if days is not None else None


def _step_dates(step: StepOut, product: ProductRef, start: dt.date, start_is: Text) -> StepDates:
    duration = step.duration
    statutory: dt.date | None = None
    note: Text | None = None
    if duration.statutory_working_days:
        try:
            statutory = add_working_days(start, duration.statutory_working_days)
        except CalendarGapError as gap:
            note = _gap_note(gap, add_weekdays(start, duration.statutory_working_days))
    return StepDates(product=product, start=start, start_is=start_is, statutory_by=statutory,
                     practice_from=_at(start, duration.practice_min_days),
                     practice_to=_at(start, duration.practice_max_days), note=note)


Placer = Callable[[StepOut, Mapping[str, dt.date], DueDate | None], tuple[dt.date, dict[str, str]] | None]
"""Where a step starts for one product (given its answered event dates and its filing due date),
and the values its placement's ``start_is`` text may quote (``rules/catalogue/schedule.yaml``)."""


def _review_start(step: StepOut, events: Mapping[str, dt.date], filing_due: DueDate | None,
                  ) -> tuple[dt.date, dict[str, str]] | None:
    if filing_due is None or filing_due.date is None:
        return None
    return filing_due.date, _filing_values(filing_due.date, filing_due)


def _filing_values(start: dt.date, filing_due: DueDate) -> dict[str, str]:
    """What a start counted from the last day to file may quote (``PLACEHOLDERS`` of the catalogue)."""
    due = filing_due.date.isoformat() if filing_due.date else ""
    return {"start": start.isoformat(), "due": due, "day": due, "days": str(filing_due.working_days)}


def _latest_start(step: StepOut, done_by: dt.date | None) -> dt.date | None:
    """The last day to start ``step`` and be through by ``done_by`` at the slow end of practice."""
    slowest = step.duration.practice_max_days
    if done_by is None or slowest is None:
        return None
    return done_by - dt.timedelta(days=slowest)


def _entity_start(step: StepOut, events: Mapping[str, dt.date], filing_due: DueDate | None,
                  ) -> tuple[dt.date, dict[str, str]] | None:
    if filing_due is None or filing_due.date is None:
        return None
    start = _latest_start(step, filing_due.date)
    if start is None:
        return None
    return start, _filing_values(start, filing_due)


def _genai_start(step: StepOut, events: Mapping[str, dt.date], filing_due: DueDate | None,
                 ) -> tuple[dt.date, dict[str, str]] | None:
    launch = events.get("launch")
    start = _latest_start(step, launch)
    if start is None or launch is None:
        return None
    return start, {"start": start.isoformat(), "launch": launch.isoformat()}


_PLACERS: dict[StepStart, Placer] = {
    "before_filing_due": _entity_start,
    "filing_due": _review_start,
    "before_launch": _genai_start,
}
"""How each kind of start of ``rules/catalogue/schedule.yaml`` is counted; which step starts
where, and for which products, is the catalogue's (with its basis)."""


def _date_step(step: StepOut, products: _Products, filing_days: int | None,
               placements: Mapping[str, StepPlacement]) -> StepOut:
    placement = placements.get(step.id)
    if placement is None:
        return step
    place = _PLACERS[placement.starts]
    dates: list[StepDates] = []
    for ref in products.filed if placement.products == "filed" else products.genai:
        events = products.events(ref)
        launch = events.get("launch")
        filing_due = due_date(ref, "launch", launch, filing_days) if launch is not None and filing_days else None
        where = place(step, events, filing_due)
        if where is not None:
            start, values = where
            text = placement.start_is
            dates.append(_step_dates(step, ref, start, Text(zh=text.zh.format(**values), en=text.en.format(**values))))
    return step.model_copy(update={"dates": tuple(dates)}) if dates else step


def schedule(assessment: Assessment, dates: EventDates, in_force: Mapping[str, dt.date] | None = None,
             placements: Mapping[str, StepPlacement] | None = None,
             procedure_routes: Collection[str] = (), filing_window: Sequence[str] = ()) -> Assessment:
    """The assessment with due dates on its duties and steps, and the counting convention.

    ``dates`` are the answered event dates, as the facts carry them. Products without dates
    get none (the report says which dates to add); the convention is always stated, so every
    dated report says how it counted.
    ``in_force`` maps law ids to their entry into force: an event before it (a service launched
    in 2020) is counted from that date, with a note, never from the event itself. ``placements``
    (the rulebook's ``step_starts``) say where each step starts; steps without one get no dates.
    ``procedure_routes`` (the rulebook's ``genai_routes.procedure_routes``) are the generative-AI
    routes whose products get the generative-AI filing step dated. ``filing_window`` (the
    rulebook's) names the duties whose working days place the steps that count from the last day
    to file.
    """
    products = _Products(assessment, dates, procedure_routes)
    obligations = tuple(_date_obligation(ob, products, in_force or {}) for ob in assessment.obligations)
    filing_days = _filing_days(assessment, filing_window)
    steps = tuple(_date_step(step, products, filing_days, placements or {}) for step in assessment.steps)
    due = next_due(obligations)
    filing = assessment.filing.model_copy(update={
        "calendar": convention(), "next_due": due,
        "actions": _actions(obligations, steps, products, procedure_routes, in_force or {}),
        "no_due": None if due is not None else _no_due(dates, assessment.filing.status)})
    algorithms = tuple(_with_filing_due(a, obligations) for a in assessment.algorithms)
    return assessment.model_copy(update={"filing": filing, "obligations": obligations, "steps": steps,
                                         "algorithms": algorithms})


def _with_filing_due(algorithm: Algorithm, obligations: Sequence[ObligationOut]) -> Algorithm:
    """The algorithm with the earliest due date of the filing duties that name it (statutory ones
    first: a recommended date never hides a statutory deadline)."""
    dated = [(0 if o.basis_kind == "statute" else 1, d.date or d.estimate, i, o, d)
             for i, o in enumerate(obligations) if o.files_algorithm
             and any(t.kind == "algorithm" and t.id == algorithm.id for t in o.applies_to)
             for d in o.due if (d.date or d.estimate) is not None
             and any(d.product.index == p.index for p in algorithm.products)]
    if not dated:
        return algorithm
    _, _, _, duty, due = min(dated, key=lambda x: (x[0], x[1], x[2]))
    return algorithm.model_copy(update={"filing_due": FilingDue(obligation=duty.id, basis_kind=duty.basis_kind,
                                                                due=due)})


def next_due(obligations: Sequence[ObligationOut]) -> NextDue | None:
    """The earliest dated due (an estimate where the calendar ends), the duties' order breaking ties."""
    dated = [(d.date or d.estimate, i, o, d) for i, o in enumerate(obligations) for d in o.due
             if (d.date or d.estimate) is not None]
    if not dated:
        return None
    _, _, duty, due = min(dated, key=lambda x: (x[0], x[1]))
    return NextDue(obligation=duty.id, title=duty.title, basis=duty.basis, due=due, basis_kind=duty.basis_kind)


def _before_launch(ob: ObligationOut, products: _Products, in_force: Mapping[str, dt.date]) -> list[Action]:
    """A duty to be done before launch, dated on the launch of each product it applies to; not
    dated where the product launched before the provision was in force (the duty did not exist
    at launch, and when it fell due since is not ours to say)."""
    if ob.deadline is None or ob.deadline.start != "before_launch":
        return []
    law_start = _duty_in_force(ob, in_force)
    return [Action(kind="obligation", id=ob.id, title=ob.title, basis_kind=ob.basis_kind, product=ref,
                   event="launch", event_date=when, working_days=None, date=when)
            for ref, when in products.launches(ob.applies_to) if law_start is None or when >= law_start[0]]


def _actions(obligations: Sequence[ObligationOut], steps: Sequence[StepOut], products: _Products,
             procedure_routes: Collection[str], in_force: Mapping[str, dt.date]) -> tuple[Action, ...]:
    """Every dated action: duties with due dates, duties due before launch, and steps that must be
    through by the launch (the generative-AI filing); earliest first, the one to start earliest
    first among those due the same day (it takes longest), then the duties' order. Where the
    generative-AI step is dated for a product, it stands for that product's duty of the same
    procedure (``procedure_routes``: the duty ids genai_filing, genai_registration)."""
    found = _step_actions(steps, products)
    stepped = {action.product.index for *_, action in found}
    for order, ob in enumerate(obligations):
        dated = [Action(kind="obligation", id=ob.id, title=ob.title, basis_kind=ob.basis_kind, product=d.product,
                        event=d.event, event_date=d.event_date, working_days=d.working_days, date=d.date,
                        estimate=d.estimate) for d in ob.due]
        for action in dated + _before_launch(ob, products, in_force):
            day = action.date or action.estimate
            if day is not None and not (ob.id in procedure_routes and action.product.index in stepped):
                found.append((day, day, order, action))
    return tuple(action for *_, action in sorted(found, key=lambda x: (x[0], x[1], x[2], x[3].product.index)))


def _step_actions(steps: Sequence[StepOut], products: _Products) -> list[tuple[dt.date, dt.date, int, Action]]:
    """The steps placed to be through by a product's launch (the generative-AI filing), as actions."""
    found: list[tuple[dt.date, dt.date, int, Action]] = []
    for step in steps:
        for d in step.dates:
            if d.practice_to is None or d.statutory_by is not None:
                continue
            launch = products.events(d.product).get("launch")
            if launch is None or d.practice_to != launch:
                continue  # only a step placed to be through by the launch is a deadline of its own
            found.append((launch, d.start, -1, Action(
                kind="step", id=step.id, title=step.title, basis_kind="practice", product=d.product,
                event="launch", event_date=launch, working_days=None, date=launch, start_by=d.start)))
    return found


def _no_due(dates: EventDates, status: str) -> Text:
    """Why no due date was given: no dates in the answers, or none of the duties counts from them."""
    if not any(dates.products.values()):
        return Text(zh="未计算（答案中没有上线、变更或终止日期）",
                    en="not computed (the answers give no launch, change or termination date)")
    pending = status == "needs_review"
    return Text(
        zh="无法定期限：适用的义务都不按答案中的日期计算期限" + ("，待确认问题解决后可能适用" if pending else ""),
        en="no statutory deadline: none of the duties that apply counts from the answers' dates"
           + ("; one may apply once the open questions are settled" if pending else ""))
