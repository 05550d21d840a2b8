"""The intake form at ``/``, generated from the questionnaire and the answer contract.

The form asks what ``algo-filing ask`` asks: every question of ``questionnaires/`` (except
those the terminal asks only in a mode of its own: about a new feature, on request, for a
copied product), with the same texts, help, choices, follow-ups (``then``), ticks that answer
another field (``sets``) and conditions (``when``). The answer contract
(``rules/answer_contract.yaml``) says which fields an answers document must give; every other
yes/no and one-of answer starts as "not answered" and is left out of the document until the
person answers it, so the contract's meaning of an absent answer applies, as in a file.

The markup is rendered here, escaped, from data; the page's one script (``static/form.html``)
shows a question when its condition holds, builds the answers document, and puts each error
beside its field. Nothing is loaded from outside, and a Content-Security-Policy allows only
this page's own script (by its hash) and requests to this service.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import escape
from importlib import resources

from engine import load_vocabulary
from engine.model.base import Text
from engine.model.contract import answer_contract
from engine.questionnaire.flow import LIST_SEPARATORS
from engine.questionnaire.loader import default_questionnaire
from engine.questionnaire.schema import NONE, Question, Questionnaire
from engine.questionnaire.targets import Scope

GROUPS = ("algorithm_type", "role", "applicability")
"""The vocabulary groups the triage row shows labels of."""

FEATURE = "__F__"
"""Stands for the feature's number in the ids of the feature template; the script fills it in."""

NOT_ANSWERED = Text(zh="未答", en="not answered")
ANSWER_IT = Text(zh="请回答这一题", en="Please answer this question")
"""The form's own word for a required answer left empty (the terminal's says how to go back with Esc)."""

_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _embed(data: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` can close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _fill(text: str) -> str:
    """Escaped text whose ``{product}`` becomes a slot the script fills with the product's name."""
    return escape(text).replace("{product}", '<span class="fill-product"></span>')


def _both(text: Text) -> str:
    """A zh text with its en text beside it, escaped."""
    return f'{_fill(text.zh)} <span class="en" lang="en">{_fill(text.en)}</span>'


def _asked(question: Question) -> bool:
    """Whether the form asks it: not the terminal's mode-only questions."""
    return not (question.new_feature_only or question.on_request or question.copies_only)


class _Renderer:
    """Renders the questions of one scope as HTML controls with their labels, help and error slots."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.q = questionnaire
        self.required = {f.path for f in answer_contract().fields if f.required}

    def section(self, scope: Scope) -> str:
        suffix = FEATURE if scope == "feature" else ""
        return "\n".join(self.question(q, suffix) for q in self.q.in_scope(scope) if _asked(q))

    def _attributes(self, question: Question, suffix: str) -> str:
        """The block's data for the script: its question, type, field, condition, gate, and whether it must be
        answered: a field the contract requires, or a checklist, which the terminal never lets pass unanswered
        (it offers "none of these" instead), so an untouched one is not taken for "none"."""
        target = question.target
        field = target.rsplit(".", 1)[-1]
        parts = [f'data-q="{question.id}"', f'data-type="{question.type}"', f'data-field="{escape(field)}"',
                 f'id="q-{question.id}{suffix}"']
        if question.when is not None:
            parts.append(f"data-when='{escape(_embed(question.when.model_dump(exclude_none=True)), quote=True)}'")
        gate = self.q.gate_of.get(question.id)
        if gate is not None:
            parts.append(f'data-gate="{gate[0]} {gate[1]}"')
        if target in self.required or question.type == "multi":
            parts.append('data-required="true"')
        if question.splits and question.target.startswith("products[].features[]"):
            parts.append('data-splits="true"')
        return " ".join(parts)

    def question(self, question: Question, suffix: str) -> str:
        control = f"c-{question.id}{suffix}"
        help_id, error_id = f"h-{question.id}{suffix}", f"e-{question.id}{suffix}"
        described = f'aria-describedby="{help_id} {error_id}"'
        help_text = f'<p class="help" id="{help_id}">{_both(question.help)}</p>'
        error = f'<p class="error" id="{error_id}" hidden></p>'
        if question.type == "multi":
            return (f'<fieldset class="q" {self._attributes(question, suffix)} {described}>'
                    f"<legend>{_both(question.text)}</legend>{help_text}"
                    f'<div class="choices">{self._ticks(question, control)}</div>{error}</fieldset>')
        return (f'<div class="q" {self._attributes(question, suffix)}>'
                f'<label class="field" for="{control}">{_both(question.text)}</label>{help_text}'
                f"{self._control(question, control, described)}{error}</div>")

    def _control(self, question: Question, control: str, described: str) -> str:
        if question.type in ("text", "date", "number"):
            kind = {"text": "text", "date": "date", "number": "number"}[question.type]
            extra = ' min="1900-01-01" max="2199-12-31"' if kind == "date" else ""
            return f'<input type="{kind}" id="{control}"{extra} {described}>'
        options = [f'<option value="">{escape(NOT_ANSWERED.zh)} · {escape(NOT_ANSWERED.en)}</option>']
        for choice in question.choice_ids():
            label = Text(zh=self.q.choice_label(question, choice, "zh"), en=self.q.choice_label(question, choice, "en"))
            options.append(f'<option value="{escape(choice)}">{escape(label.zh)} · {escape(label.en)}</option>')
        return f'<select id="{control}" {described}>{"".join(options)}</select>'

    def _ticks(self, question: Question, control: str) -> str:
        out = []
        for i, choice in enumerate(question.choices or []):
            label = Text(zh=self.q.choice_label(question, choice.id, "zh"),
                         en=self.q.choice_label(question, choice.id, "en"))
            data = "".join(f' data-{key}="{escape(value)}"' for key, value in
                           (("then", choice.then), ("sets", choice.sets and choice.sets.rsplit(".", 1)[-1]))
                           if value)
            if choice.id == NONE:
                data += ' data-none="true"'
            hint = f' <span class="hint">{_both(choice.help)}</span>' if choice.help is not None else ""
            out.append(f'<label><input type="checkbox" id="{control}-{i}" value="{escape(choice.id)}"{data}> '
                       f"{_both(label)}{hint}</label>")
        return "".join(out)


def form_page() -> tuple[str, dict[str, str]]:
    """The page's HTML and the response headers (its Content-Security-Policy) to serve it with."""
    template = resources.files("service").joinpath("static/form.html").read_text(encoding="utf-8")
    questionnaire = default_questionnaire()
    render = _Renderer(questionnaire)
    vocabulary = load_vocabulary()
    labels = {group: {key: text.model_dump() for key, text in vocabulary.groups[group].items()} for group in GROUPS}
    texts = {key: questionnaire.texts[key].model_dump() for key in ("error_date", "error_exclusive")}
    texts["error_required"] = ANSWER_IT.model_dump()
    data = {"labels": labels, "texts": texts, "separators": LIST_SEPARATORS.pattern}
    page = (template.replace("__ENTITY__", render.section("entity"))
            .replace("__PRODUCT__", render.section("product"))
            .replace("__FEATURE__", render.section("feature"))
            .replace("__VOCABULARY__", _embed(data)))
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in _SCRIPT.findall(page))
    policy = (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; connect-src 'self'; "
              "img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
    return page, {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
                  "Referrer-Policy": "no-referrer"}
