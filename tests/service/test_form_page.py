"""Issue 23 item 1 / issue 20 item 8, without a browser: the page at ``/`` is generated from the questionnaire.

A question added to ``questionnaires/`` appears in the form with no edit of the page; these
checks read the served HTML (the browser tests in test_intake_form.py use it).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from engine.questionnaire.loader import default_questionnaire
from service.app import create_app
from service.settings import Settings


class _Blocks(HTMLParser):
    """Each question block (``data-q``): its element, type, and the first option of its select."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[str, dict[str, str]] = {}
        self.current: str | None = None
        self.legends: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-q"):
            self.current = found["data-q"] or ""
            self.blocks[self.current] = {"tag": tag, "type": found.get("data-type") or ""}
        elif tag == "option" and self.current and "first_option" not in self.blocks[self.current]:
            self.blocks[self.current]["first_option"] = found.get("value") or ""
        elif tag == "legend" and self.current:
            self.legends.append(self.current)


@pytest.fixture(scope="module")
def page() -> str:
    with TestClient(create_app(Settings()), base_url="http://127.0.0.1") as client:
        response = client.get("/")
    assert response.status_code == 200
    return response.text


def _blocks(page: str) -> _Blocks:
    parser = _Blocks()
    parser.feed(page)
    return parser


def test_the_form_offers_every_question_the_terminal_asks(page: str) -> None:
    asked = [q for q in default_questionnaire().questions.values()
             if not (q.new_feature_only or q.on_request or q.copies_only)]
    blocks = _blocks(page).blocks
    assert list(blocks) == [q.id for q in asked]
    for question in asked:
        assert blocks[question.id]["type"] == question.type, question.id


def test_each_checkbox_set_is_a_fieldset_with_a_legend(page: str) -> None:
    parsed = _blocks(page)
    multis = [qid for qid, block in parsed.blocks.items() if block["type"] == "multi"]
    assert multis and all(parsed.blocks[qid]["tag"] == "fieldset" for qid in multis)
    assert set(multis) <= set(parsed.legends)


def test_every_one_of_answer_starts_as_not_answered(page: str) -> None:
    selects = {qid: b for qid, b in _blocks(page).blocks.items() if b["type"] in ("yes_no", "select")}
    assert {"model_source", "biometric_output", "offered_as_api", "launch_status"} <= set(selects)
    assert all(block["first_option"] == "" for block in selects.values())
    assert re.search(r'<option value="">未答 · not answered</option>', page)


def test_no_placeholder_or_terminal_key_is_left_in_the_page(page: str) -> None:
    assert "{product}" not in page and "__ENTITY__" not in page and "__FEATURE__" not in page
