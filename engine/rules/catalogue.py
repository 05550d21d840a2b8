"""The catalogues the rules refer to (``rules/catalogue/*.yaml``), as strict models.

Laws, duties, materials and pitfalls, process steps, display locations, and the judgements the
engine applies with their basis (step placement, naming, triage tiers, GenAI route precedence).
:mod:`engine.rules.rulebook` loads them and checks their ids across files.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from engine.model.assessment import BasisKind, Status
from engine.model.base import StrictModel, Text
from engine.rules.basis import Basis, Law

NOT_RULE_FILES = {"index.yaml", "vocabulary.yaml", "answer_contract.yaml", "behaviour_keywords.yaml",
                  "purpose_templates.yaml"}


# ---------------------------------------------------------------- catalogues

class Parameter(StrictModel):
    """A legal parameter that may change over time, as OpenFisca keeps its parameters: each value
    holds from the date it is keyed by until the next one's, and ``reference`` is where the law
    states it. The value an assessment uses is the one in force on its ``as_of`` date."""

    values: dict[dt.date, int] = Field(min_length=1, description="From which date each value holds")
    reference: list[Basis] = Field(min_length=1)

    @model_validator(mode="after")
    def _positive(self) -> Parameter:
        for since, value in self.values.items():
            if value < 1:
                raise ValueError(f"the value from {since.isoformat()} is {value}; a count of days is at least 1")
        return self

    def at(self, day: dt.date) -> int | None:
        """The value in force on ``day``; None before the first date (the provision did not exist)."""
        held = [since for since in self.values if since <= day]
        return self.values[max(held)] if held else None


def _not_a_bare_count(value: Any) -> Any:
    """A plain number where a dated value is expected gets the form to write instead."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"a count of working days is a dated value: write `values: {{<date from which it "
                         f"holds>: {value}}}` and the `reference:` that states it")
    return value


DatedCount = Annotated[Parameter, BeforeValidator(_not_a_bare_count)]
"""A count of working days as the catalogue writes it: a :class:`Parameter`, never a bare number."""


class DeadlineSpec(StrictModel):
    """A duty's deadline as the catalogue states it: text, and where it is a count of working days,
    the count (a dated :class:`Parameter`) and what it counts from (the assessment's
    :class:`engine.model.assessment.Deadline` is what a report shows of it, with the count in
    force on the assessment's date)."""

    text: Text
    working_days: DatedCount | None = None
    start: Literal["launch", "change", "termination", "complete_materials", "before_launch"] | None = None

    def working_days_at(self, day: dt.date) -> int | None:
        """The working days allowed on ``day``: None when the deadline is no count, or not yet one."""
        return self.working_days.at(day) if self.working_days is not None else None


class Obligation(StrictModel):
    """A duty the assessment can list."""

    id: str
    title: Text
    basis_kind: BasisKind
    basis: list[Basis] = Field(min_length=1)
    deadline: DeadlineSpec | None = None
    valid_from: dt.date | None = None
    files_algorithm: bool = Field(
        default=False, description="The duty is the filing itself: its due date is each algorithm's filing date")
    scope: Literal["product", "algorithm"] = Field(
        default="algorithm", description="What the duty attaches to: each algorithm the rule fired for, or the "
                                         "product (a platform's duty, e.g. marking AI content users post)")
    binds: Literal["filer", "platform"] = Field(
        default="filer", description="Whom the duty binds: the filer, or the app store or mini-program platform "
                                     "that lists the product (rulings.md #19), shown as what the platform checks")
    yields_to: list[str] = Field(
        default_factory=list, description="Statutory duties this practice duty gives way to: an algorithm that one "
                                          "of them binds is not listed under this duty (filed under the statute)")


class FeatureFiling(StrictModel):
    """What a new feature means for the filing of one algorithm it uses (ARP Art. 24)."""

    label: Text
    obligation: str = Field(description="The duty whose deadline and basis apply, e.g. arp_24_p2")
    explanation: Text


class FeatureFilings(StrictModel):
    """A new feature's algorithm is either not filed yet (a new filing) or filed (a change)."""

    new_algorithm: FeatureFiling
    filed_algorithm: FeatureFiling


class Pitfall(StrictModel):
    """A reason filings get rejected in practice."""

    id: str
    text: Text


class Material(StrictModel):
    """An item of the materials checklist."""

    id: str
    name: Text
    group: Literal["entity_info", "product_info", "algorithm_info", "other"]
    scope: Literal["entity", "product", "algorithm"]
    contents: Text
    condition: Text | None = None
    basis_kind: BasisKind
    pitfalls: list[str] = Field(default_factory=list)
    basis: list[Basis] = Field(default_factory=list)


class Duration(StrictModel):
    """How long a step takes: the statute's figure and the range seen in practice."""

    statutory_working_days: DatedCount | None = None
    practice_min_days: int | None = None
    practice_max_days: int | None = None
    practice_text: Text | None = None


class ProcessStep(StrictModel):
    """A step of the filing process."""

    id: str
    order: int
    title: Text
    what: Text
    statute: Text | None = None
    duration: Duration = Field(default_factory=Duration)
    basis: list[Basis] = Field(default_factory=list)


class DisplayLocation(StrictModel):
    """Where a product of one form shows the filing number."""

    id: str
    location: Text
    basis: list[Basis] = Field(min_length=1)


class LawsFile(StrictModel):
    laws: list[Law]


class ObligationsFile(StrictModel):
    obligations: list[Obligation]


class MaterialsFile(StrictModel):
    materials: list[Material]
    pitfalls: list[Pitfall]


class ProcessFile(StrictModel):
    steps: list[ProcessStep]
    new_feature: FeatureFilings


class DisplayFile(StrictModel):
    locations: list[DisplayLocation]


StepStart = Literal["filing_due", "before_filing_due", "before_launch"]
"""Where a dated step starts: on the last day to file, before it, or before the launch."""


PLACEHOLDERS: dict[str, frozenset[str]] = {
    "filing_due": frozenset({"start", "due", "day", "days"}),
    "before_filing_due": frozenset({"start", "due", "day", "days"}),
    "before_launch": frozenset({"start", "launch"}),
}
"""What a placement's ``start_is`` may quote, per kind of start: ``start`` the step's start;
``due`` and ``day`` the last day to file, ``days`` its working days after launch; ``launch`` the
product's launch (dates as YYYY-MM-DD)."""


class StepPlacement(StrictModel):
    """Where one process step sits on the calendar, and for which products."""

    step: str
    starts: StepStart
    products: Literal["filed", "genai"]
    start_is: Text = Field(description="Why the step is placed there, as each dated report says it; "
                                       "{placeholders} as PLACEHOLDERS lists for the kind of start")
    basis: list[Basis] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_placeholders(self) -> StepPlacement:
        allowed = PLACEHOLDERS[self.starts]
        for lang in ("zh", "en"):
            used = {name for _, name, _, _ in string.Formatter().parse(getattr(self.start_is, lang)) if name}
            if used - allowed:
                raise ValueError(f"start_is.{lang} quotes {sorted(used - allowed)}; a '{self.starts}' start "
                                 f"gives {sorted(allowed)}")
        return self


Event = Literal["launch", "change", "termination"]
"""An answered event a working-day deadline counts from."""


def unknown_placeholders(text: Text, allowed: frozenset[str]) -> str | None:
    """What a text quotes that ``allowed`` does not give, as a message; None when nothing."""
    for lang in ("zh", "en"):
        used = {name for _, name, _, _ in string.Formatter().parse(getattr(text, lang)) if name is not None}
        if used - allowed:
            return f"{lang} quotes {sorted(used - allowed)}; it may quote {sorted(allowed) or 'nothing'}"
    return None


class CountingTexts(StrictModel):
    """What dated reports say of the counting, with the {placeholders} :data:`COUNTING_PLACEHOLDERS` lists."""

    convention: Text = Field(description="How working days are counted, stated in every dated report")
    calendar_gap: Text = Field(description="A due date in a year the holiday calendar does not cover")
    before_in_force: Text = Field(description="An event before the provision's entry into force")
    no_dates: Text = Field(description="No due date: the answers give no event date")
    no_deadline: Text = Field(description="No due date: no duty that applies counts from the answers' dates")
    no_deadline_pending: Text = Field(description="As no_deadline, while open questions may bring one")

    @field_validator("*")
    @classmethod
    def _known_placeholders(cls, text: Text, info: ValidationInfo) -> Text:
        problem = unknown_placeholders(text, COUNTING_PLACEHOLDERS[str(info.field_name)])
        if problem:
            raise ValueError(problem)
        return text


COUNTING_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "convention": frozenset({"source", "first", "last"}),
    "calendar_gap": frozenset({"source", "first", "last", "year", "estimate"}),
    "before_in_force": frozenset({"event", "event_date", "start", "law"}),
    "no_dates": frozenset(),
    "no_deadline": frozenset(),
    "no_deadline_pending": frozenset(),
}
"""What each counting text may quote: ``source`` the holiday calendar and its version, ``first``
and ``last`` the years it covers, ``year`` the year it lacks, ``estimate`` the Monday–Friday
estimate; ``event`` the event's word (``events``), ``event_date`` its date, ``start`` the
provision's entry into force, ``law`` the law's name as cited (dates as YYYY-MM-DD)."""


class Counting(StrictModel):
    """How a working-day deadline is counted from its event (``counting`` of ``schedule.yaml``)."""

    event_day: Literal[0, 1] = Field(
        description="0: the event day is not counted, day 1 is the first working day after it; "
                    "1: the event day is day 1 when it is a working day")
    before_in_force: Literal["from_in_force", "from_event"] = Field(
        description="An event before the provision's entry into force: counted from the entry into force "
                    "(with the before_in_force text), or from the event itself")
    before_launch: Literal["undated", "on_in_force"] = Field(
        description="A duty due before launch whose product launched before the provision's entry into force: "
                    "no date (undated), or dated on the entry into force (on_in_force)")
    events: dict[Event, Text] = Field(description="The word for each event, as before_in_force quotes it")
    texts: CountingTexts
    basis: list[Basis] = Field(min_length=1)

    @field_validator("events")
    @classmethod
    def _every_event(cls, events: dict[Event, Text]) -> dict[Event, Text]:
        missing = [e for e in get_args(Event) if e not in events]
        if missing:
            raise ValueError(f"no word for {', '.join(missing)}; add `{missing[0]}: {{zh: ..., en: ...}}`")
        return events

    def counted_after(self, event_date: dt.date) -> dt.date:
        """The day after which working days are counted: the event day itself when it is day 0,
        else the day before it (so that the event day, if a working day, is day 1)."""
        return event_date if self.event_day == 0 else event_date - dt.timedelta(days=1)


class NewAlgorithmDeadline(StrictModel):
    """How the deadlines of an algorithm new to a live product are counted: those the catalogue
    counts from ``instead_of`` are counted from the product's ``counted_from`` date instead."""

    instead_of: Event = Field(description="The event the duties counted anew count from in the catalogue")
    counted_from: Event = Field(description="The answered event they are counted from for a new algorithm")
    note: Text
    basis: list[Basis] = Field(min_length=1)


class ScheduleFile(StrictModel):
    counting: Counting
    step_starts: list[StepPlacement]
    new_algorithm: NewAlgorithmDeadline
    filing_window: list[str] = Field(
        min_length=1, description="Duties whose launch-counted working days are the window to file, in order: "
                                  "the first one an assessment concludes places the steps")


class NamingFile(StrictModel):
    """How suggested algorithm names are made ("<产品><场景>算法"), and why.

    ``scene_by_type`` has a word for every type and sub-type, ``scene_by_behaviour`` for the
    behaviours (one missing takes its type's word); see ``rules/catalogue/naming.yaml``.
    """

    role_suffix: dict[str, Text]
    scene_by_type: dict[str, Text]
    scene_by_behaviour: dict[str, Text]
    basis: list[Basis] = Field(min_length=1)

    def scene(self, type_: str, subtype: str | None, behaviours: Iterable[str]) -> Text:
        """The scene word of an algorithm: its behaviours' one word, else its (sub-)type's."""
        fallback = self.scene_by_type[subtype or type_]
        words = list(dict.fromkeys(self.scene_by_behaviour.get(b, fallback) for b in behaviours))
        return words[0] if len(words) == 1 else fallback


class TierTest(StrictModel):
    """One test of a triage tier: every key given must hold."""

    status: list[Status] | None = None
    algorithms_at_least: int | None = Field(default=None, ge=1)
    roles_at_least: int | None = Field(default=None, ge=1)
    genai_route: list[Literal["genai_filing", "genai_registration", "genai_none"]] | None = None


class TriageTier(StrictModel):
    """A complexity tier of the batch triage: it applies when one of its tests holds."""

    id: Literal["none", "low", "medium", "high"]
    description: Text
    any: list[TierTest] | None = Field(default=None, min_length=1)
    basis: list[Basis] = Field(min_length=1)


class TriageFile(StrictModel):
    tiers: list[TriageTier] = Field(min_length=1)


class GenaiRoutesFile(StrictModel):
    """The order in which an algorithm's generative-AI route is chosen among its products' routes."""

    precedence: list[str] = Field(min_length=1)
    procedure_routes: list[str] = Field(
        description="Routes that are a procedure of their own before launch (备案, 登记): their products "
                    "get the generative-AI filing step dated")
    basis: list[Basis] = Field(min_length=1)


class StatusFile(StrictModel):
    """How the statuses concluded by the rules combine (``rules/catalogue/status.yaml``)."""

    precedence: list[str] = Field(min_length=1, description="Every applicability status, strongest first")
    when_no_rule_fires: str = Field(description="The status when no rule concluded any status")
    basis: list[Basis] = Field(min_length=1)

    def strongest(self, statuses: Iterable[str]) -> str:
        """The strongest of ``statuses`` by precedence; :attr:`when_no_rule_fires` for none."""
        return min(statuses, key=self.precedence.index, default=self.when_no_rule_fires)


class IndexFile(StrictModel):
    version: str
    as_of: dt.date


# ---------------------------------------------------------------- rules

