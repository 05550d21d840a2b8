"""What ``algo-filing rules`` and ``GET /v1/rules`` publish: every rule and every duty with its basis.

One model serves the command line and the service, so the two cannot drift. Duties are listed
beside the rules because a rule such as "duties of a generative-AI provider" concludes a dozen
duties at once: a reader checking one article (GAI Art. 13, say) needs the duty itself, who it
binds and which rules conclude it, not only the rule's list of articles.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.model.base import Lang
from engine.rules.rulebook import Rulebook


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleTitle(_Model):
    zh: str
    en: str


class RuleSummary(_Model):
    """One rule as ``algo-filing rules --format json`` lists it."""

    id: str
    file: str = Field(description="The rule file it is defined in")
    title: RuleTitle
    basis_kind: Literal["statute", "practice"] = Field(
        description="Whether the rule rests on a statute or on filing practice")
    basis: list[str] = Field(description="Its legal basis, rendered in the requested language")
    valid_from: dt.date | None


class DutySummary(_Model):
    """One duty (an obligation of the catalogue) as the rules listing gives it."""

    id: str
    title: RuleTitle
    basis_kind: Literal["statute", "practice"] = Field(
        description="Whether the duty rests on a statute or on filing practice")
    basis: list[str] = Field(description="Its legal basis, rendered in the requested language")
    binds: Literal["filer", "platform"] = Field(
        description="filer: the assessed entity's duty; platform: what an app store or mini-program platform checks")
    working_days: int | None = Field(description="Its deadline in working days, where it has one (the count in "
                                                 "force on the rules' date)")
    valid_from: dt.date | None
    rules: list[str] = Field(description="The rules that conclude it (empty: concluded outside the rules, "
                                         "e.g. by a new feature's filing)")


class RulesDocument(_Model):
    """Every rule and duty of the loaded rulebook, with its legal basis."""

    rules_version: str
    rules: list[RuleSummary]
    duties: list[DutySummary]


def rules_document(book: Rulebook, lang: Lang) -> RulesDocument:
    """The listing of ``book`` with its citations rendered in ``lang``, in the rulebook's own order."""
    concluding: dict[str, list[str]] = {oid: [] for oid in book.obligations}
    for rule in book.rules.values():
        for oid in rule.then.obligations or ():
            concluding[oid].append(rule.id)
    rules = [RuleSummary(id=r.id, file=book.rule_files[r.id], title=RuleTitle(zh=r.title.zh, en=r.title.en),
                         basis_kind=r.basis_kind, basis=[b.render(book.laws, lang) for b in r.basis],
                         valid_from=r.valid_from)
             for r in book.rules.values()]
    duties = [DutySummary(id=o.id, title=RuleTitle(zh=o.title.zh, en=o.title.en), basis_kind=o.basis_kind,
                          basis=[b.render(book.laws, lang) for b in o.basis], binds=o.binds,
                          working_days=o.deadline.working_days_at(book.as_of) if o.deadline else None,
                          valid_from=o.valid_from, rules=concluding[o.id])
              for o in book.obligations.values()]
    return RulesDocument(rules_version=book.rules_version, rules=rules, duties=duties)
