"""Due dates on the real calendar, from the dates in the answers.

The catalogue gives each statutory deadline as a count of working days from an event (launch,
change, termination: 算法推荐管理规定 Art. 24) and each process step its statutory and practice
durations. With the products' ``launch_date``, ``change_date`` and ``termination_date`` this
module turns them into dates: the working days come from :mod:`engine.pipeline.workdays` (State
Council holiday schedule, make-up working days included), the practice ranges are calendar days.

It dates the duties and steps the rules concluded (:func:`schedule` takes a finished assessment
and the answered dates the facts carry) by the legal conventions of the rulebook, stated in every
dated report (:func:`convention`): ``counting`` of ``rules/catalogue/schedule.yaml`` says whether
the event day is counted and whether an event before a provision's entry into force counts from
that date, and gives every text a dated report says of the counting; ``step_starts`` and
``filing_window`` place the entity and review steps, with the catalogue's text of why they start
there. The working days themselves are the counts in force on the assessment's date (dated values
of the catalogue). What stays here is arithmetic on the calendar.

The dated rows (due dates, step dates, actions, their texts) are built from values that are
already valid, dates counted here and the assessment's own fields, with
:func:`engine.model.base.trusted`, as assembly builds its rows: validating each again cost more
than counting it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

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
    target_key,
)
from engine.model.base import Lang, Text, cite, replaced, trusted
from engine.pipeline.workdays import CalendarGapError, add_weekdays, add_working_days, calendar_version, covered_years
from engine.rules.catalogue import Counting, Event, StepPlacement, StepStart
from engine.rules.rulebook import Rulebook

EVENTS: tuple[Event, ...] = ("launch", "change", "termination")


def _say(text: Text, **values: str | Text) -> Text:
    """``text`` with its {placeholders} filled, a :class:`Text` value in each text's own language."""
    def filled(lang: Lang) -> str:
        return text.get(lang).format(**{k: v.get(lang) if isinstance(v, Text) else v for k, v in values.items()})
    return trusted(Text, zh=filled("zh"), en=filled("en"))


def _coverage() -> dict[str, str | Text]:
    first, last = covered_years()
    return {"source": calendar_version(), "first": str(first), "last": str(last)}


def convention(counting: Counting) -> CalendarInfo:
    """The counting convention and the calendar's coverage, as stated in every dated report."""
    first, last = covered_years()
    return CalendarInfo(source=calendar_version(), covered_from=first, covered_to=last,
                        convention=_say(counting.texts.convention, **_coverage()))


@dataclass
class EventDates:
    """The answered event dates, by position: what the root facts carry (:attr:`RootFact.dates`).

    ``products`` maps a product's position to its ``launch``, ``change`` and ``termination``
    dates (those given); ``features`` maps (product, feature) positions to the feature's own
    launch date, or None when it launched with its product.
    """

    products: dict[int, dict[str, dt.date]] = field(default_factory=dict)
    features: dict[tuple[int, int], dt.date | None] = field(default_factory=dict)


def _gap_note(counting: Counting, gap: CalendarGapError, estimate: dt.date) -> Text:
    return _say(counting.texts.calendar_gap, **_coverage(), year=str(gap.day.year), estimate=estimate.isoformat())


def _count(counting: Counting, start: dt.date, working_days: int) -> tuple[dt.date | None, dt.date | None, Text | None]:
    """The ``working_days``-th working day counted from ``start`` by the convention; where the
    calendar ends, no date but the Monday–Friday estimate and the note that explains it."""
    after = counting.counted_after(start)
    try:
        return add_working_days(after, working_days), None, None
    except CalendarGapError as gap:
        estimate = add_weekdays(after, working_days)
        return None, estimate, _gap_note(counting, gap, estimate)


def due_date(product: ProductRef, event: Event, event_date: dt.date, working_days: int,
             counting: Counting) -> DueDate:
    """The due date ``working_days`` after ``event_date`` (by ``counting``, the rulebook's
    convention), or an explained estimate."""
    date, estimate, note = _count(counting, event_date, working_days)
    return trusted(DueDate, product=product, event=event, event_date=event_date, working_days=working_days,
                   date=date, estimate=estimate, note=note)


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
    """The assessment's targets resolved to answered products, by position, in answer order.

    One per assessment; what several duties and steps ask again (the launches of one target, a
    product's last day to file) is kept for the others.
    """

    def __init__(self, assessment: Assessment, dates: EventDates, procedure_routes: Collection[str]) -> None:
        self.dates = dates
        self.of_algorithm = {a.id: a.products for a in assessment.algorithms}
        self.features_of = {a.id: a.feature_refs for a in assessment.algorithms}
        self.filed = self._sorted({p.index: p for a in assessment.algorithms for p in a.products})
        self.genai = self._sorted({p.index: p for a in assessment.algorithms
                                   if a.genai_route in procedure_routes for p in a.products})
        self._launches: dict[tuple[str | int, ...], dict[tuple[int, dt.date], ProductRef]] = {}
        self._filing_due: dict[tuple[int, int | None], DueDate | None] = {}

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
            found.update(self._launches_of(target))
        return [(found[key], key[1]) for key in sorted(found)]

    def _launches_of(self, target: Target) -> dict[tuple[int, dt.date], ProductRef]:
        """The launches of one target, kept by the target's identity (its kind with its position or
        id): the duties of an assessment name the same algorithms and products again and again."""
        key = target_key(target)
        found = self._launches.get(key)
        if found is None:
            found = self._launches[key] = {}
            features = self.features_of.get(target.id, ()) if target.kind == "algorithm" else ()
            for ref in products_of([target], self.of_algorithm):
                own = [self.dates.features.get((f.product, f.index)) for f in features if f.product == ref.index]
                dated = [d for d in own if d is not None]
                when = min(dated) if own and len(dated) == len(own) else self.events(ref).get("launch")
                if when is not None:
                    found[(ref.index, when)] = ref
        return found

    def filing_due(self, ref: ProductRef, filing_days: int | None, counting: Counting) -> DueDate | None:
        """The last day to file from the product's launch (``filing_days`` working days), or None
        without a launch date or a filing window; the same for every step placed from it."""
        key = (ref.index, filing_days)
        if key not in self._filing_due:
            launch = self.events(ref).get("launch")
            self._filing_due[key] = (due_date(ref, "launch", launch, filing_days, counting)
                                     if launch is not None and filing_days else None)
        return self._filing_due[key]


@dataclass(frozen=True)
class InForce:
    """A law's entry into force, and its name as cited (for the note of an event before it)."""

    date: dt.date
    law: Text


def in_force_of(book: Rulebook) -> dict[str, InForce]:
    """The entry into force of every statutory law of the rulebook that gives one, by law id."""
    return {law.id: InForce(law.in_force, Text(zh=cite(law.short, True, None, None, "zh"),
                                               en=cite(law.short, True, None, None, "en")))
            for law in book.laws.values() if law.statutory and law.in_force}


_OF_BOOK: dict[int, tuple[Rulebook, dict[str, InForce], CalendarInfo]] = {}
"""Per rulebook (by identity, the book kept with it; a few at a time): its laws' entries into
force and the counting convention every dated report states, the same for every assessment."""


def _of_book(book: Rulebook) -> tuple[dict[str, InForce], CalendarInfo]:
    kept = _OF_BOOK.get(id(book))
    if kept is None or kept[0] is not book:
        if len(_OF_BOOK) >= 8:
            _OF_BOOK.clear()
        kept = _OF_BOOK[id(book)] = (book, in_force_of(book), convention(book.counting))
    return kept[1], kept[2]


def _duty_in_force(ob: ObligationOut, in_force: Mapping[str, InForce]) -> InForce | None:
    """The latest entry into force among the laws a duty rests on (a duty cannot run before it exists)."""
    dated = [in_force[ref.law] for ref in ob.basis if ref.law in in_force]
    return max(dated, key=lambda x: (x.date, x.law.zh)) if dated else None


def _date_obligation(ob: ObligationOut, products: _Products, in_force: Mapping[str, InForce],
                     counting: Counting) -> ObligationOut:
    deadline = ob.deadline
    if deadline is None or deadline.working_days is None or deadline.start not in EVENTS:
        return ob
    event: Event = deadline.start
    law_start = _duty_in_force(ob, in_force) if counting.before_in_force == "from_in_force" else None
    due: list[DueDate] = []
    dated = (products.launches(ob.applies_to) if event == "launch" else
             [(ref, when) for ref in products.of_targets(ob.applies_to)
              if (when := products.events(ref).get(event)) is not None])
    for ref, when in dated:
        if law_start is not None and when < law_start.date:
            counted = due_date(ref, event, law_start.date, deadline.working_days, counting)
            note = _say(counting.texts.before_in_force, event=counting.events[event], event_date=when.isoformat(),
                        start=law_start.date.isoformat(), law=law_start.law)
            due.append(replaced(counted, event_date=when, note=counted.note or note))
        else:
            due.append(due_date(ref, event, when, deadline.working_days, counting))
    return replaced(ob, due=tuple(due)) if due else ob


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


def _step_dates(step: StepOut, product: ProductRef, start: dt.date, start_is: Text,
                counting: Counting) -> StepDates:
    duration = step.duration
    statutory: dt.date | None = None
    note: Text | None = None
    if duration.statutory_working_days:
        statutory, _, note = _count(counting, start, duration.statutory_working_days)
    return trusted(StepDates, product=product, start=start, start_is=start_is, statutory_by=statutory,
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
               placements: Mapping[str, StepPlacement], counting: Counting) -> StepOut:
    placement = placements.get(step.id)
    if placement is None:
        return step
    place = _PLACERS[placement.starts]
    dates: list[StepDates] = []
    for ref in products.filed if placement.products == "filed" else products.genai:
        where = place(step, products.events(ref), products.filing_due(ref, filing_days, counting))
        if where is not None:
            start, values = where
            text = placement.start_is
            dates.append(_step_dates(step, ref, start, _say(text, **values), counting))
    return replaced(step, dates=tuple(dates)) if dates else step


def schedule(assessment: Assessment, dates: EventDates, book: Rulebook) -> Assessment:
    """The assessment with due dates on its duties and steps, and the counting convention.

    ``dates`` are the answered event dates, as the facts carry them. Products without dates
    get none (the report says which dates to add); the convention is always stated, so every
    dated report says how it counted. What ``book`` says of dating:

    * ``counting``: whether the event day is counted, and whether an event before the entry into
      force of the laws a duty rests on (a service launched in 2020) counts from that date, with
      a note; the texts a dated report says;
    * ``step_starts``: where each step starts; steps without one get no dates;
    * ``genai_routes.procedure_routes``: the generative-AI routes whose products get the
      generative-AI filing step dated;
    * ``filing_window``: the duties whose working days place the steps that count from the last
      day to file.
    """
    counting, procedure_routes = book.counting, book.genai_routes.procedure_routes
    in_force, calendar = _of_book(book)
    products = _Products(assessment, dates, procedure_routes)
    obligations = tuple(_date_obligation(ob, products, in_force, counting) for ob in assessment.obligations)
    filing_days = _filing_days(assessment, book.filing_window)
    steps = tuple(_date_step(step, products, filing_days, book.step_starts, counting) for step in assessment.steps)
    due = next_due(obligations)
    filing = replaced(
        assessment.filing, calendar=calendar, next_due=due,
        actions=_actions(obligations, steps, products, procedure_routes, in_force, counting),
        no_due=None if due is not None else _no_due(dates, assessment.filing.status, counting))
    filing_dues = _filing_dues(obligations)
    algorithms = tuple(_with_filing_due(a, filing_dues) for a in assessment.algorithms)
    return replaced(assessment, filing=filing, obligations=obligations, steps=steps, algorithms=algorithms)


_FilingDue = tuple[int, dt.date, int, ObligationOut, DueDate, frozenset[str]]
"""A dated due of a filing duty: statutory first (0) or not (1), its day, the duty's order, the
duty, the due, and the algorithms the duty names."""


def _filing_dues(obligations: Sequence[ObligationOut]) -> list[_FilingDue]:
    """Every dated due of the filing duties, once per assessment for all its algorithms."""
    return [(0 if o.basis_kind == "statute" else 1, day, i, o, d,
             frozenset(t.id for t in o.applies_to if t.kind == "algorithm"))
            for i, o in enumerate(obligations) if o.files_algorithm
            for d in o.due if (day := d.date or d.estimate) is not None]


def _with_filing_due(algorithm: Algorithm, filing_dues: Sequence[_FilingDue]) -> Algorithm:
    """The algorithm with the earliest due date of the filing duties that name it (statutory ones
    first: a recommended date never hides a statutory deadline)."""
    products = {p.index for p in algorithm.products}
    dated = [(rank, day, i, o, d) for rank, day, i, o, d, names in filing_dues
             if algorithm.id in names and d.product.index in products]
    if not dated:
        return algorithm
    _, _, _, duty, due = min(dated, key=lambda x: (x[0], x[1], x[2]))
    return replaced(algorithm, filing_due=trusted(FilingDue, obligation=duty.id, basis_kind=duty.basis_kind, due=due))


def next_due(obligations: Sequence[ObligationOut]) -> NextDue | None:
    """The earliest dated due (an estimate where the calendar ends), the duties' order breaking ties."""
    dated = [(d.date or d.estimate, i, o, d) for i, o in enumerate(obligations) for d in o.due
             if (d.date or d.estimate) is not None]
    if not dated:
        return None
    _, _, duty, due = min(dated, key=lambda x: (x[0], x[1]))
    return trusted(NextDue, obligation=duty.id, title=duty.title, basis=duty.basis, due=due,
                   basis_kind=duty.basis_kind)


def _before_launch(ob: ObligationOut, products: _Products, in_force: Mapping[str, InForce],
                   counting: Counting) -> list[Action]:
    """A duty the catalogue says is due before launch, dated on the launch of each product it
    applies to; where the product launched before the provision was in force, as the rulebook's
    ``counting.before_launch`` says: no date, or the entry into force."""
    if ob.deadline is None or ob.deadline.start != "before_launch":
        return []
    law_start = _duty_in_force(ob, in_force)
    actions: list[Action] = []
    for ref, when in products.launches(ob.applies_to):
        day = when
        if law_start is not None and when < law_start.date:
            if counting.before_launch == "undated":
                continue
            day = law_start.date
        actions.append(trusted(Action, kind="obligation", id=ob.id, title=ob.title, basis_kind=ob.basis_kind,
                               product=ref, event="launch", event_date=when, working_days=None, date=day,
                               estimate=None, start_by=None))
    return actions


def _actions(obligations: Sequence[ObligationOut], steps: Sequence[StepOut], products: _Products,
             procedure_routes: Collection[str], in_force: Mapping[str, InForce],
             counting: Counting) -> tuple[Action, ...]:
    """Every dated action: duties with due dates, duties due before launch, and steps that must be
    through by the launch (the generative-AI filing); earliest first, the one to start earliest
    first among those due the same day (it takes longest), then the duties' order. Where the
    generative-AI step is dated for a product, it stands for that product's duty of the same
    procedure (``procedure_routes``: the duty ids genai_filing, genai_registration)."""
    found = _step_actions(steps, products)
    stepped = {action.product.index for *_, action in found}
    for order, ob in enumerate(obligations):
        if not ob.due and (ob.deadline is None or ob.deadline.start != "before_launch"):
            continue  # nothing of this duty is dated
        dated = [trusted(Action, kind="obligation", id=ob.id, title=ob.title, basis_kind=ob.basis_kind,
                         product=d.product, event=d.event, event_date=d.event_date, working_days=d.working_days,
                         date=d.date, estimate=d.estimate, start_by=None) for d in ob.due]
        for action in dated + _before_launch(ob, products, in_force, counting):
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
            found.append((launch, d.start, -1, trusted(
                Action, kind="step", id=step.id, title=step.title, basis_kind="practice", product=d.product,
                event="launch", event_date=launch, working_days=None, date=launch, estimate=None,
                start_by=d.start)))
    return found


def _no_due(dates: EventDates, status: str, counting: Counting) -> Text:
    """Why no due date was given: no dates in the answers, or none of the duties counts from them
    (one may, once the open questions of a ``needs_review`` assessment are settled)."""
    if not any(dates.products.values()):
        return counting.texts.no_dates
    return counting.texts.no_deadline_pending if status == "needs_review" else counting.texts.no_deadline
