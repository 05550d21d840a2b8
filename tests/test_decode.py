"""`algo-filing decode`: real numbers from CAC's 2022–2023 lists (an extract in tests/fixtures/official),
and malformed ones refused."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import cli
from engine import EngineError
from engine.model.filing_number import FilingNumberError, decode_filing_number

ROOT = Path(__file__).resolve().parent.parent
LISTS = ROOT / "tests" / "fixtures" / "official" / "filings-2022-2023.csv"

# classification.md §6: the type code each published category carries, and the documented
# exceptions (two 2022-08 调度决策 rows numbered 05; 检索过滤类 numbered 04 or 05 until 2023-12).
CATEGORY_TYPES = {
    "生成合成类": {"generation_synthesis"},
    "个性化推送类": {"personalized_push"},
    "排序精选类": {"ranking_selection"},
    "检索过滤类": {"retrieval_filtering"},
    "信息检索类": {"retrieval_filtering"},
    "调度决策类": {"scheduling_decision"},
}
DOCUMENTED_EXCEPTIONS = {"蜂鸟物流配送算法", "菜鸟包裹时效预测算法"}
IRREGULAR = {"网信算备1101082242366066220017号"}


def rows() -> list[dict[str, str]]:
    with LISTS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_published_number_decodes_and_its_type_matches_its_category() -> None:
    published = rows()
    assert len(published) == 454
    for row in published:
        number = decode_filing_number(row["filing_number"])
        where = f"{row['algorithm_name']} {row['filing_number']}"
        assert number.number == row["filing_number"], where
        assert number.layout == ("irregular" if row["filing_number"] in IRREGULAR else "standard"), where
        assert number.year in (2022, 2023) and number.year <= int(row["batch"][:4]), where
        assert number.province.name is not None, where
        assert int(number.serial[-1]) % 2 == 1, where
        if row["algorithm_name"] in DOCUMENTED_EXCEPTIONS:
            assert (row["category"], number.type.code) == ("调度决策类", "05"), where
            continue
        assert number.type.type in CATEGORY_TYPES[row["category"]], where
        if row["category"] == "信息检索类":
            assert number.type.subtype == "information_retrieval", where


def test_an_entity_keeps_its_code_across_its_filings() -> None:
    codes: dict[str, set[str]] = {}
    for row in rows():
        codes.setdefault(row["entity"], set()).add(decode_filing_number(row["filing_number"]).entity_code)
    stable = sum(1 for found in codes.values() if len(found) == 1)
    assert stable / len(codes) > 0.95


def test_decode_a_real_number_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "decode", "网信算备110108823483902220017号", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {k: data[k] for k in ("region_code", "entity_code", "year", "serial")} == {
        "region_code": "110108", "entity_code": "8234839", "year": 2022, "serial": "0017"}
    assert data["type"]["code"] == "02" and data["type"]["type"] == "personalized_push"
    assert "inferred from the filing lists" in data["source"]["en"]


def test_decode_table_states_the_layout_is_inferred(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decode", "网信算备 330110 5072064 01 23 0035 号", "--lang", "en")
    assert code == 0
    assert "330110" in out and "Zhejiang" in out and "Generation / synthesis" in out and "2023" in out
    assert "inferred from the filing lists" in out


def test_the_22_digit_meituan_number_is_decoded_and_explained() -> None:
    number = decode_filing_number("网信算备1101082242366066220017号")
    assert (number.type.type, number.year, number.serial) == ("scheduling_decision", 2022, "0017")
    assert any("美团配送调度决策算法" in note.en for note in number.notes)


@pytest.mark.parametrize(("text", "keywords"), [
    ("网信算备11010882348390222001号", ["expected 21 digits", "got 20"]),
    ("网信算备1101088234839022200171234号", ["expected 21 digits", "got 25"]),
    ("网信算备110108823483909220017号", ["type code '09'"]),
    ("网信算备110108823483902210017号", ["year '21'", "2022"]),
    ("网信算备1101O8823483902220017号", ["unexpected characters 'O'"]),
    ("Beijing-DeepseekChat-202404280016", ["generative-AI service"]),
    ("", ["no filing number given"]),
])
def test_malformed_numbers_are_refused_clearly(capsys: pytest.CaptureFixture[str], text: str,
                                               keywords: list[str]) -> None:
    with pytest.raises(FilingNumberError) as info:
        decode_filing_number(text)
    assert isinstance(info.value, EngineError)
    code, out, err = run(capsys, "decode", text)
    assert code == 2 and out == "" and "Traceback" not in err
    for keyword in keywords:
        assert keyword in err, err


# ---------------------------------------------------------------- the layout is data (issue 23.3)

def _rules_with_layout(tmp_path: Path, extra: str) -> Path:
    """A copy of the shipped rules whose filing_numbers.yaml has ``extra`` added to its type codes."""
    import shutil

    from engine.model.vocabulary import rules_dir

    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = target / "catalogue" / "filing_numbers.yaml"
    text = path.read_text(encoding="utf-8")
    assert "type_codes:\n" in text, "filing_numbers.yaml changed: update the test"
    path.write_text(text.replace("type_codes:\n", "type_codes:\n" + extra, 1), encoding="utf-8")
    return target


def test_a_type_code_added_to_the_data_decodes_with_no_code_change(tmp_path: Path) -> None:
    from engine.model.filing_number import load_number_layout

    number = "网信算备110108823483907250017号"
    with pytest.raises(FilingNumberError, match="type code '07'"):
        decode_filing_number(number)
    layout = load_number_layout(_rules_with_layout(tmp_path, '  "07":\n    type: ranking_selection\n'))
    decoded = decode_filing_number(number, layout=layout)
    assert (decoded.type.code, decoded.type.type, decoded.type.subtype) == ("07", "ranking_selection", None)
    assert decoded.type.label.zh == "排序精选类" and decoded.year == 2025


def test_a_type_code_naming_an_unknown_type_is_refused_with_the_file_key_and_fix(tmp_path: Path) -> None:
    from engine.errors import RulebookError
    from engine.model.filing_number import load_number_layout

    with pytest.raises(RulebookError) as info:
        load_number_layout(_rules_with_layout(tmp_path, '  "07":\n    type: ranking_selecton\n'))
    message = str(info.value)
    assert "filing_numbers.yaml" in message and "type_codes.07.type" in message
    assert "ranking_selecton" in message and "ranking_selection" in message


def test_the_types_a_number_stood_for_in_its_year_are_data(tmp_path: Path) -> None:
    from engine.errors import RulebookError
    from engine.model.filing_number import load_number_layout, number_types

    # the 2022 lists numbered two 调度决策 algorithms with 05; later years did not
    assert number_types(decode_filing_number("网信算备110108823483905220017号")) == {
        "retrieval_filtering", "scheduling_decision"}
    assert number_types(decode_filing_number("网信算备110108823483905230017号")) == {"retrieval_filtering"}
    # a code that stood for another type in some year is a YAML edit
    code_07 = '  "07":\n    type: ranking_selection\n    also:\n      - {type: personalized_push, years: [2025]}\n'
    layout = load_number_layout(_rules_with_layout(tmp_path, code_07))
    assert number_types(decode_filing_number("网信算备110108823483907250017号", layout=layout),
                        layout=layout) == {"ranking_selection", "personalized_push"}
    assert number_types(decode_filing_number("网信算备110108823483907240017号", layout=layout),
                        layout=layout) == {"ranking_selection"}
    with pytest.raises(RulebookError, match=r"type_codes.07.also\[0\].type"):
        load_number_layout(_rules_with_layout(tmp_path / "bad", code_07.replace("personalized", "personalised")))
