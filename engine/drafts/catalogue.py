"""The drafting catalogue (``rules/drafting/*.yaml``): document outlines, prompts and behaviours.

The documents a filer uploads are written from data a compliance person can read and correct:
which headings each document has and where its outline comes from, the 【请填写】 prompts that
stand wherever only the filer can say something, and what each behaviour takes in and gives
out. The loader is strict: every behaviour of the vocabulary must be described, and every
prompt, risk group, user group and duty named must exist, or loading fails with file and key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from engine.errors import LoadError
from engine.model.base import StrictModel, Text
from engine.model.suggest import did_you_mean
from engine.model.validation import validate_file
from engine.model.vocabulary import load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file

Modality = Literal["text", "image", "audio", "video", "list", "decision", "label"]
DocumentId = Literal["public_disclosure", "self_assessment", "responsibility", "form_sheet"]
PolicyGroup = Literal["self_assessment", "monitoring", "incident", "violation", "other"]


class BehaviourIO(StrictModel):
    """What one behaviour takes in and gives out; null for ``other``, which only the filer can say."""

    input: Text | None
    output: Text | None
    output_modality: Modality | None


class BehavioursFile(StrictModel):
    behaviours: dict[str, BehaviourIO]


class DocumentOutline(StrictModel):
    """One document: its title, its headings by key, and the source its outline follows."""

    title: Text
    source_kind: Literal["public", "reading"]
    source: Text
    headings: dict[str, Text]


class Risk(StrictModel):
    id: str
    heading: Text
    when: str | None = Field(default=None, description="a user_group id; the risk is weighed only then")


class Policy(StrictModel):
    id: str
    group: PolicyGroup
    title: Text
    obligation: str = Field(description="the duty (obligations.yaml id) that requires this system")
    citation: Text


class DocumentsFile(StrictModel):
    documents: dict[DocumentId, DocumentOutline]
    prompts: dict[str, Text]
    type_mechanisms: dict[str, list[Text]]
    risks: list[Risk]
    policy_groups: dict[PolicyGroup, Text]
    policies: list[Policy]


class DraftingCatalogue(StrictModel):
    behaviours: dict[str, BehaviourIO]
    documents: DocumentsFile

    def prompt(self, key: str) -> Text:
        """A prompt by key (the loader checked every key the drafts use)."""
        return self.documents.prompts[key]

    def title(self, document: DocumentId) -> Text:
        return self.documents.documents[document].title

    def heading(self, document: DocumentId, key: str) -> Text:
        return self.documents.documents[document].headings[key]


PROMPTS_USED = (
    "principle_method", "mechanism_steps", "purpose_goal", "legal_rep", "credit_code", "assessed_on",
    "data_sources", "model_detail", "intervention_detail", "labelling_none", "service_scale",
    "risk_assessment", "control_evidence", "conclusion", "org_setup", "org_head", "org_requirements",
    "org_size", "org_tech", "policy_content", "access_path", "access_address", "function_intro",
    "field_unknown", "doc_date", "sector_licence", "real_name", "model_name",
)
"""Every prompt key the composers ask for: a catalogue lacking one fails at load, not mid-draft."""

HEADINGS_USED: dict[DocumentId, tuple[str, ...]] = {
    "public_disclosure": ("header", "principle", "mechanism", "scenarios", "purpose"),
    "self_assessment": ("header", "algorithm", "flow", "data", "model", "intervention", "labelling", "service", "risks",
                        "controls", "conclusion"),
    "responsibility": ("header", "organisation", "policies"),
    "form_sheet": ("entity", "basic", "detailed", "products", "consistency"),
}


def _require(keys: list[str] | tuple[str, ...], have: list[str], what: str, file: Path, key: str) -> None:
    for name in keys:
        if name not in have:
            raise LoadError(f"missing {what} '{name}'", file=str(file), key=key, hint=did_you_mean(name, have))


def _unknown(keys: list[str], allowed: list[str], what: str, file: Path, key: str) -> None:
    for name in keys:
        if name not in allowed:
            raise LoadError(f"unknown {what} '{name}'", file=str(file), key=f"{key}.{name}",
                            hint=did_you_mean(name, allowed))


def load_drafting(directory: Path | None = None, obligations: list[str] | None = None) -> DraftingCatalogue:
    """Load and cross-check the drafting catalogue of a rules directory.

    ``obligations`` are the duty ids of the rulebook the drafts are written with; each policy must
    name one of them.
    """
    base = (directory or rules_dir()) / "drafting"
    vocab = load_vocabulary()
    behaviours_path, documents_path = base / "behaviours.yaml", base / "documents.yaml"
    behaviours = validate_file(BehavioursFile, read_data_file(behaviours_path), file=str(behaviours_path))
    known = list(vocab.ids("behaviour"))
    _unknown(list(behaviours.behaviours), known, "behaviour id", behaviours_path, "behaviours")
    _require(known, list(behaviours.behaviours), "behaviour", behaviours_path, "behaviours")
    documents = validate_file(DocumentsFile, read_data_file(documents_path), file=str(documents_path))
    _require(PROMPTS_USED, list(documents.prompts), "prompt", documents_path, "prompts")
    for doc, keys in HEADINGS_USED.items():
        outline = documents.documents.get(doc)
        if outline is None:
            raise LoadError(f"missing document '{doc}'", file=str(documents_path), key="documents")
        _require(keys, list(outline.headings), "heading", documents_path, f"documents.{doc}.headings")
    _unknown(list(documents.type_mechanisms), list(vocab.ids("algorithm_type")), "algorithm type",
             documents_path, "type_mechanisms")
    groups = list(vocab.ids("user_group"))
    for i, risk in enumerate(documents.risks):
        if risk.when is not None:
            _unknown([risk.when], groups, "user group", documents_path, f"risks[{i}].when")
    _require(["self_assessment", "monitoring", "incident", "violation", "other"], list(documents.policy_groups),
             "policy group", documents_path, "policy_groups")
    if obligations is not None:
        for i, policy in enumerate(documents.policies):
            _unknown([policy.obligation], obligations, "obligation id", documents_path, f"policies[{i}].obligation")
    return DraftingCatalogue(behaviours=behaviours.behaviours, documents=documents)


@cache
def shipped_drafting() -> DraftingCatalogue:
    """The drafting catalogue of the shipped rules, checked against the shipped duties."""
    from engine.rules.rulebook import default_rulebook

    return load_drafting(obligations=list(default_rulebook().obligations))
