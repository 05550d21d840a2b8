"""Drafts: the answers given so far, saved after every answer, and their sidecar.

The draft is an answers file (YAML) holding exactly the answers given so far; the sidecar
``<draft>.progress.json`` keeps what the answers model has no place for (where the person
stopped, the plain-language categories, "add another one?"). A draft edited by hand wins over
its sidecar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import FlowError, LoadError
from engine.model.base import Lang
from engine.model.yamlio import parse_text
from engine.questionnaire.flow import Flow
from engine.questionnaire.prefill import check_partial
from engine.questionnaire.schema import Questionnaire
from engine.questionnaire.slots import SLOT_KEY, Slot, Value


class NewFeature(BaseModel):
    """A ``--new-feature`` session: which product gets the feature, and the answers before it."""

    model_config = ConfigDict(extra="forbid")

    product: int
    feature: int
    before: dict[str, Any] = Field(description="The answers document before the new feature")
    source: str = Field(description="The answers file the session started from")


class DraftProgress(BaseModel):
    """The sidecar of a draft: what the answers file has no place for.

    ``values`` holds every raw answer by slot key (including the plain-language categories and
    the "another one?" answers), ``cursor`` where the person was, ``draft_sha256`` the digest
    of the draft it belongs to (a mismatch means the draft was edited by hand).
    """

    model_config = ConfigDict(extra="forbid")

    format: Literal["algo-filing-progress/1"] = "algo-filing-progress/1"
    questionnaire: str
    questionnaire_version: str
    lang: Lang
    values: dict[str, Value]
    given: dict[str, Value] = Field(default_factory=dict)
    carried: list[str] = Field(default_factory=list, description="slots answered by a list of names")
    extras: dict[str, dict[str, Any]] = Field(default_factory=dict)
    cursor: str | None = None
    revisit: bool = False
    focus: str | None = None
    new_feature: NewFeature | None = None
    draft_sha256: str


def progress_path(draft: Path) -> Path:
    """Where the sidecar of ``draft`` lives."""
    return draft.with_name(draft.name + ".progress.json")


class _DraftDumper(yaml.SafeDumper):
    """Lists of ids on one line (``forms: [app, website]``), everything else in block style."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key, as the examples are written."""
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        """Never write anchors and aliases: answers files refuse them."""
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_DraftDumper.add_representer(list, _represent_list)


def dump_document(doc: dict[str, Any], header: str = "") -> str:
    """An answers document as YAML text (stable: same document, same bytes)."""
    body = yaml.dump(doc, Dumper=_DraftDumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False) if doc else "{}\n"
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body


def draft_files(flow: Flow, draft: Path, header: str, lang: Lang,
                new_feature: NewFeature | None = None) -> tuple[str, str]:
    """The text of the draft and of its sidecar (written by the caller, atomically)."""
    text = dump_document(flow.document(), header)
    progress = DraftProgress(
        questionnaire=flow.q.id, questionnaire_version=flow.q.version, lang=lang,
        values=flow.values, given=flow.given, extras=_jsonable(flow.extras), cursor=flow.cursor,
        revisit=flow.revisit, focus=flow.focus, new_feature=new_feature, carried=sorted(flow.carried),
        draft_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return text, progress.model_dump_json(indent=2) + "\n"


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


@dataclass
class LoadedDraft:
    """A draft read back: the flow, its sidecar (if any) and whether the draft was edited by hand."""

    flow: Flow
    progress: DraftProgress | None
    edited: bool


def load_draft(questionnaire: Questionnaire, draft: Path) -> LoadedDraft:
    """Read a draft and its sidecar; the draft's answers win over a sidecar that does not match."""
    try:
        text = draft.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError("draft not found", file=str(draft), hint="check the path printed when you stopped") from None
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror}", file=str(draft)) from None
    doc = check_partial(parse_text(text, source=str(draft)), source=str(draft))
    progress = _read_progress(progress_path(draft))
    if progress is not None and progress.questionnaire != questionnaire.id:
        progress = None
    inferred = Flow.from_document(questionnaire, doc)
    if progress is None:
        return LoadedDraft(inferred, None, False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest == progress.draft_sha256:
        try:
            flow = Flow(questionnaire, values=progress.values, given=progress.given, extras=progress.extras,
                        cursor=progress.cursor, revisit=progress.revisit, focus=progress.focus,
                        carried=set(progress.carried))
        except FlowError:
            return LoadedDraft(inferred, None, True)
        return LoadedDraft(flow, progress, False)
    repeats = {questionnaire.repeat("product").id, questionnaire.repeat("feature").id}
    values = dict(inferred.values)
    for key, value in progress.values.items():
        if SLOT_KEY.match(key) and Slot.parse(key).question in repeats and key not in values:
            values[key] = value
    flow = Flow(questionnaire, values=values, given=inferred.given, extras=inferred.extras, focus=progress.focus)
    return LoadedDraft(flow, progress, True)


def _read_progress(path: Path) -> DraftProgress | None:
    """The sidecar, or None if it is missing or unreadable (the draft alone still resumes)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return DraftProgress.model_validate(raw)
    except (OSError, ValueError, ValidationError):
        return None


