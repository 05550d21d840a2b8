"""How deadlines are counted is data (issue 23.3): the event-day convention, counting from entry
into force and the prose of dated reports (``counting`` of schedule.yaml), working days as dated
values read on the assessment's date, and how a new algorithm's duties are counted in a diff.

The fixture rulebooks differ from the shipped one in catalogue files only, which the rules engine
never reads: :func:`_assess` assembles with the fixture's catalogue from the shipped rules'
firings, because every compiled rulebook stays in the process for good (and the tests that spawn
commands measure memory, which a child inherits). One test holds it to :func:`engine.assess`;
tests/test_schedule_data.py assesses a fixture rulebook through :func:`engine.assess` itself.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from rule_edits import edit_in_place

from engine import Rulebook, assess, load_rulebook, parse_answers
from engine.errors import RulebookError
from engine.model.answers import Answers, load_answers
from engine.model.assessment import Assessment
from engine.model.vocabulary import rules_dir
from engine.pipeline.assemble import assemble
from engine.pipeline.diff import compare, date_new_algorithms
from engine.pipeline.run import evaluate
from engine.rules.facts import build_facts
from engine.rules.rulebook import default_rulebook

ROOT = Path(__file__).resolve().parent.parent
NEWS_APP = ROOT / "examples" / "news_app.yaml"
DIFF = ROOT / "tests" / "fixtures" / "diff"


def _rules(tmp_path: Path, file: str, *edits: tuple[str, str]) -> Path:
    """A copy of the shipped rules with ``edits`` (old, new) made to ``catalogue/<file>``."""
    target = tmp_path / "rules"
    if not target.exists():
        shutil.copytree(rules_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    edit_in_place(target / "catalogue" / file, edits)
    return target


EVENT_DAY_1 = ("  event_day: 0\n", "  event_day: 1\n")
FROM_EVENT = ("  before_in_force: from_in_force\n", "  before_in_force: from_event\n")
TEXTS = (('en: "the {event} on {event_date} predates', 'en: "{law}: the {event} on {event_date} predates'),
         ('launch: {zh: "上线", en: "launch"}', 'launch: {zh: "上线", en: "go-live"}'),
         ('en: "not computed (the answers give', 'en: "no date to count from (the answers give'),
         ('en: "Working days follow', 'en: "Counted on {source}, {first} to {last}. Working days follow'))
NEW_ALGORITHM = ("  instead_of: launch\n", "  instead_of: change\n")
ON_IN_FORCE = ("  before_launch: undated\n", "  before_launch: on_in_force\n")

ARP_24_DAYS = """      working_days:
        values:
          2022-03-01: 10
        reference:
          - law: arp
            article: "24"
      start: launch
"""
ARP_24_P2_DAYS = """      working_days:
        values:
          2022-03-01: 10
        reference:
          - law: arp
            article: "24"
      start: change
"""
REVIEW_DAYS = "          2022-03-01: 30\n"
DATED = {
    "obligations.yaml": (
        (ARP_24_DAYS, ARP_24_DAYS.replace("          2022-03-01: 10\n", "          2022-03-01: 10\n"
                                                                      "          2026-06-01: 15\n")),
        (ARP_24_P2_DAYS, ARP_24_P2_DAYS.replace("2022-03-01: 10", "2027-01-01: 10"))),
    "process.yaml": ((REVIEW_DAYS, REVIEW_DAYS + "          2026-06-01: 20\n"),),
}
"""Art. 24 ¶1 allows 15 working days from 2026-06-01, the review takes 20 from then, and the
change filing's count only holds from 2027."""


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rulebook]:
    """The fixture rulebooks, each loaded once for the module (every one loaded stays in the process)."""
    def book(name: str, edits: dict[str, tuple[tuple[str, str], ...]]) -> Rulebook:
        directory = tmp_path_factory.mktemp(name)
        for file, changes in edits.items():
            _rules(directory, file, *changes)
        return load_rulebook(directory / "rules")
    return {
        "event_day_1": book("event_day_1", {"schedule.yaml": (EVENT_DAY_1,)}),
        "from_event": book("from_event", {"schedule.yaml": (FROM_EVENT,)}),
        "texts": book("texts", {"schedule.yaml": TEXTS}),
        "dated": book("dated", DATED),
        "new_algorithm": book("new_algorithm", {"schedule.yaml": (NEW_ALGORITHM,)}),
        "on_in_force": book("on_in_force", {"schedule.yaml": (ON_IN_FORCE,)}),
    }


def _load_error(tmp_path: Path, file: str, *edits: tuple[str, str]) -> str:
    with pytest.raises(RulebookError) as info:
        load_rulebook(_rules(tmp_path, file, *edits))
    return str(info.value)


def _assess(answers: Answers | Path, book: Rulebook | None = None, as_of: dt.date | None = None) -> Assessment:
    """The assessment of ``answers`` with ``book``'s catalogue (default: the shipped rulebook)."""
    book = book or default_rulebook()
    model = answers if isinstance(answers, Answers) else load_answers(answers)
    when = as_of or model.as_of or book.as_of
    roots = build_facts(model, when, book.derived_flags)
    return assemble(book, roots, evaluate(roots, default_rulebook()), when)


def test_assembling_from_the_shipped_firings_gives_what_assess_gives() -> None:
    for answers in (NEWS_APP, OLD_LAUNCH, DIFF / "news_after.yaml"):
        assert _assess(answers).to_json() == assess(answers).to_json()


def _due(a: Assessment, duty: str) -> list[tuple[str, str, int, str | None]]:
    ob = next(o for o in a.obligations if o.id == duty)
    return [(d.event, d.event_date.isoformat(), d.working_days, d.date.isoformat() if d.date else None)
            for d in ob.due]


OLD_LAUNCH = parse_answers({
    "entity": {"name": "某公司"},
    "products": [{"name": "老应用", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
                  "launch_date": "2020-09-01",
                  "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"]}]}],
})


# ---------------------------------------------------------------- the event-day convention

def test_whether_the_event_day_counts_is_data(books: dict[str, Rulebook]) -> None:
    """The news app launched Monday 2026-03-02: day 1 is 03-03 (shipped), or 03-02 itself."""
    assert _due(assess(NEWS_APP), "arp_24") == [("launch", "2026-03-02", 10, "2026-03-16")]
    counted = _assess(NEWS_APP, books["event_day_1"])
    assert _due(counted, "arp_24") == [("launch", "2026-03-02", 10, "2026-03-13")]
    review = next(s for s in counted.steps if s.id == "review").dates[0]
    assert (review.start.isoformat(), review.statutory_by and review.statutory_by.isoformat()) == \
        ("2026-03-13", "2026-04-24")


def test_an_event_on_a_rest_day_is_no_working_day_to_count(books: dict[str, Rulebook]) -> None:
    """Sunday 2026-03-01 is no working day: counting it or not gives the same due date."""
    sunday = load_answers(NEWS_APP).model_copy(deep=True)
    data = sunday.model_dump(mode="json", exclude_none=True)
    data["products"][0]["launch_date"] = "2026-03-01"
    answers = parse_answers(data)
    assert _due(assess(answers), "arp_24") == _due(_assess(answers, books["event_day_1"]), "arp_24") == \
        [("launch", "2026-03-01", 10, "2026-03-13")]


# ---------------------------------------------------------------- entry into force

def test_counting_from_the_entry_into_force_is_data(books: dict[str, Rulebook]) -> None:
    shipped = next(o for o in assess(OLD_LAUNCH).obligations if o.id == "arp_24").due[0]
    assert shipped.date == dt.date(2022, 3, 15) and shipped.note is not None
    own = next(o for o in _assess(OLD_LAUNCH, books["from_event"]).obligations if o.id == "arp_24").due[0]
    assert (own.event_date, own.date, own.note) == (dt.date(2020, 9, 1), dt.date(2020, 9, 15), None)


def test_the_note_of_an_event_before_the_entry_into_force_is_data(books: dict[str, Rulebook]) -> None:
    note = next(o for o in assess(OLD_LAUNCH).obligations if o.id == "arp_24").due[0].note
    assert note is not None
    assert note.zh == "上线日 2020-09-01 早于《算法推荐管理规定》施行日 2022-03-01：期限自施行日起算"
    assert note.en == ("the launch on 2020-09-01 predates the provision's entry into force on 2022-03-01: "
                       "the period is counted from that date")
    custom = next(o for o in _assess(OLD_LAUNCH, books["texts"]).obligations if o.id == "arp_24").due[0].note
    assert custom is not None and custom.en.startswith("Algorithm Recommendation Provisions: the go-live on 2020-09-01")


def test_the_convention_and_no_due_texts_are_data(books: dict[str, Rulebook]) -> None:
    undated = parse_answers({"entity": {"name": "某公司"}, "products": [{
        "name": "应用", "forms": ["app"], "audience": ["public"], "opinion_features": ["comments"],
        "features": [{"name": "推荐", "behaviours": ["recommend_by_profile"]}]}]})
    shipped = assess(undated).filing
    assert shipped.no_due is not None and shipped.no_due.en.startswith("not computed")
    assert shipped.calendar is not None and "(covers " in shipped.calendar.convention.en
    custom = _assess(undated, books["texts"]).filing
    assert custom.no_due is not None and custom.no_due.en.startswith("no date to count from")
    assert custom.calendar is not None
    assert custom.calendar.convention.en.startswith(
        f"Counted on {custom.calendar.source}, {custom.calendar.covered_from} to {custom.calendar.covered_to}.")


def test_each_rulebook_keeps_its_own_convention_and_entries_into_force(books: dict[str, Rulebook]) -> None:
    """What dating keeps per rulebook (the convention, the laws' entries into force) is the
    rulebook's own, whichever was used before: shipped, custom and shipped again."""
    shipped, custom, again = (_assess(OLD_LAUNCH, book) for book in (None, books["texts"], None))
    assert shipped.to_json() == again.to_json()
    assert [a.filing.calendar and a.filing.calendar.convention.en[:11] for a in (shipped, custom)] == \
        ["Working day", "Counted on "]
    notes = [next(o for o in a.obligations if o.id == "arp_24").due[0].note for a in (shipped, custom)]
    assert [n.en[:4] for n in notes if n is not None] == ["the ", "Algo"]


@pytest.mark.parametrize(("edits", "expected"), [
    ((('en: "the {event} on {event_date} predates', 'en: "the {evnt} on {event_date} predates'),),
     ["counting.texts.before_in_force", "evnt"]),
    ((("  event_day: 0\n", "  event_days: 0\n"),), ["counting.event_days", "event_day"]),
    ((("  event_day: 0\n", "  event_day: 2\n"),), ["counting.event_day"]),
    ((("  before_in_force: from_in_force\n", "  before_in_force: from_inforce\n"),),
     ["counting.before_in_force", "from_in_force"]),
    ((('    termination: {zh: "终止服务", en: "termination"}\n', ""),), ["counting.events", "termination"]),
    ((('    termination: {zh: "终止服务"', '    terminaton: {zh: "终止服务"'),), ["counting.events", "terminaton"]),
    ((("      article: \"24\"\n    - law: practice\n      note:\n        zh: \"法规未明确",
       "      article: \"24\"\n    - law: practise\n      note:\n        zh: \"法规未明确"),),
     ["counting.basis[1].law", "practice"]),
])
def test_a_broken_counting_fails_with_the_file_the_key_and_what_to_write(
        tmp_path: Path, edits: tuple[tuple[str, str], ...], expected: list[str]) -> None:
    message = _load_error(tmp_path, "schedule.yaml", *edits)
    assert "schedule.yaml" in message
    for part in expected:
        assert part in message, message


# ---------------------------------------------------------------- dated working days

def test_the_working_days_in_force_on_the_assessment_date_are_used(books: dict[str, Rulebook]) -> None:
    """Art. 24 ¶1 allows 15 working days from 2026-06-01 in the fixture: --as-of before and after."""
    before = _assess(NEWS_APP, books["dated"], as_of=dt.date(2026, 5, 31))
    after = _assess(NEWS_APP, books["dated"], as_of=dt.date(2026, 6, 1))
    assert _due(before, "arp_24") == [("launch", "2026-03-02", 10, "2026-03-16")]
    assert _due(after, "arp_24") == [("launch", "2026-03-02", 15, "2026-03-23")]
    deadlines = [next(o for o in a.obligations if o.id == "arp_24").deadline for a in (before, after)]
    assert [d.working_days if d else None for d in deadlines] == [10, 15]
    # the review step is placed on the last day to file, which moved with the count
    assert [d.start.isoformat() for s in after.steps if s.id == "review" for d in s.dates] == ["2026-03-23"]
    # the shipped rules keep 10 on both dates
    assert _due(assess(NEWS_APP, as_of=dt.date(2026, 6, 1)), "arp_24") == [("launch", "2026-03-02", 10, "2026-03-16")]


def test_the_statutory_review_period_is_a_dated_value_too(books: dict[str, Rulebook]) -> None:
    def review(as_of: dt.date) -> tuple[int | None, str | None]:
        step = next(s for s in _assess(NEWS_APP, books["dated"], as_of=as_of).steps if s.id == "review")
        by = step.dates[0].statutory_by
        return step.duration.statutory_working_days, by.isoformat() if by else None
    assert review(dt.date(2026, 5, 31)) == (30, "2026-04-28")
    assert review(dt.date(2026, 6, 1)) == (20, "2026-04-21")  # from the last day to file, 03-23 then


def test_before_its_first_date_a_count_does_not_exist(books: dict[str, Rulebook]) -> None:
    """The change filing's count holds from 2027 in the fixture: no working days in 2026."""
    def change_days(as_of: dt.date) -> int | None:
        duty = next(o for o in _assess(NEWS_APP, books["dated"], as_of=as_of).obligations if o.id == "arp_24_p2")
        return duty.deadline.working_days if duty.deadline else None
    assert change_days(dt.date(2026, 6, 1)) is None
    assert change_days(dt.date(2027, 1, 1)) == 10


@pytest.mark.parametrize(("new", "expected"), [
    ("      working_days: 10\n      start: launch\n", "is a dated value: write `values:"),
    (ARP_24_DAYS.replace("        values:", "        value:"), "did you mean 'values'"),
    (ARP_24_DAYS.replace("2022-03-01: 10", "2022-03-01: 0"), "at least 1"),
    (ARP_24_DAYS.replace("2022-03-01: 10", "from-march: 10"), "working_days.values"),
    (ARP_24_DAYS.replace("          - law: arp\n", "          - law: apr\n"), "reference[0].law"),
    (ARP_24_DAYS.replace("        reference:\n          - law: arp\n            article: \"24\"\n", ""),
     "working_days.reference"),
])
def test_a_broken_dated_value_fails_with_the_file_and_key(tmp_path: Path, new: str, expected: str) -> None:
    message = _load_error(tmp_path, "obligations.yaml", (ARP_24_DAYS, new))
    assert "obligations.yaml" in message and expected in message, message


# ---------------------------------------------------------------- a new algorithm in a diff

def _diff_dsp_19(book: Rulebook | None = None) -> list[tuple[str, str, str | None, bool]]:
    """What diff_answers gives (its own test is tests/test_diff.py), with ``book``'s catalogue."""
    book = book or default_rulebook()
    after_answers = load_answers(DIFF / "news_after.yaml")
    before = _assess(DIFF / "news_before.yaml", book, dt.date(2025, 10, 1))
    after = _assess(after_answers, book, dt.date(2025, 10, 1))
    added = {a.id for a in after.algorithms} - {a.id for a in before.algorithms}
    d = compare(before, date_new_algorithms(after, after_answers, added, book.new_algorithm, book.counting))
    dsp_19 = next(o for o in d.added.obligations if o.id == "dsp_19")
    return [(x.event, x.event_date.isoformat(), x.date.isoformat() if x.date else None, x.note is not None)
            for x in dsp_19.due]


def test_which_duties_of_a_new_algorithm_count_from_which_event_is_data(books: dict[str, Rulebook]) -> None:
    assert _diff_dsp_19() == [("change", "2025-09-30", "2025-10-21", True)]
    assert _diff_dsp_19(books["new_algorithm"]) == [("launch", "2025-03-03", "2025-03-17", False)]


def test_a_new_algorithm_rule_naming_no_event_fails_with_the_file(tmp_path: Path) -> None:
    message = _load_error(tmp_path, "schedule.yaml", ("  counted_from: change\n", "  counted_from: changes\n"))
    assert "schedule.yaml" in message and "new_algorithm.counted_from" in message


def _before_launch(a: Assessment) -> set[tuple[str, int, str, str | None]]:
    return {(x.id, x.product.index, x.event_date.isoformat(), x.date.isoformat() if x.date else None)
            for x in a.filing.actions if x.kind == "obligation" and x.working_days is None}


def test_a_duty_due_before_a_launch_that_predates_its_provision_is_dated_as_the_data_says(
        books: dict[str, Rulebook]) -> None:
    """The second product launched on 2017-01-01, before the Security Assessment Regulations
    (2018-11-30) and ARP (2022-03-01): shipped, its duties due before launch get no date; with
    ``before_launch: on_in_force`` they are dated on the entry into force, and nothing else moves."""
    multi = ROOT / "examples" / "multi_product_entity.yaml"
    shipped, edited = _before_launch(_assess(multi)), _before_launch(_assess(multi, books["on_in_force"]))
    assert not any(product == 1 for _, product, _, _ in shipped)
    assert edited - shipped == {("arp_27", 1, "2017-01-01", "2022-03-01"), ("sar_7", 1, "2017-01-01", "2018-11-30")}
    assert shipped <= edited
