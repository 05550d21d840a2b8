"""The catalogues the rules refer to (``rules/catalogue/*.yaml``), as strict models.

Laws, duties, materials and pitfalls, process steps, display locations, and the judgements the
engine applies with their basis (step placement, naming, triage tiers, GenAI route precedence).
:mod:`engine.rules.rulebook` loads them and checks their ids across files.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable
from typing import Literal

from pydantic import Field, model_validator

from engine.model.assessment import BasisKind
from engine.model.base import StrictModel, Text
from engine.rules.basis import Basis, Law

NOT_RULE_FILES = {"index.yaml", "vocabulary.yaml", "answer_contract.yaml", "behaviour_keywords.yaml",
                  "purpose_templates.yaml"}


# ---------------------------------------------------------------- catalogues

class DeadlineSpec(StrictModel):
    """A duty's deadline as the catalogue states it: text, and where it is a count of working days,
    the count and what it counts from (the assessment's :class:`engine.model.assessment.Deadline`
    is what a report shows of it)."""

    text: Text
    working_days: int | None = None
    start: Literal["launch", "change", "termination", "complete_materials", "before_launch"] | None = None


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

    statutory_working_days: int | None = None
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


class NewAlgorithmDeadline(StrictModel):
    """How the filing deadline of an algorithm new to a live product is counted."""

    counted_from: Literal["change"]
    note: Text
    basis: list[Basis] = Field(min_length=1)


class ScheduleFile(StrictModel):
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

    status: list[Literal["required", "recommended", "needs_review", "not_required"]] | None = None
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

