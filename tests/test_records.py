"""Reading batch input into records, alone: JSON Lines (engine/intake/records.py) and the flat CSV layout
(engine/intake/csv_layout.py). The whole batch is tested in test_batch.py."""

from __future__ import annotations

import pytest

from engine.intake.csv_layout import check_header, column_of, read_csv, row_to_answers
from engine.intake.records import BatchUsageError, read_jsonl

HEADER = ["entity_name", "product_name", "forms", "audience", "opinion_features",
          "feature1_name", "feature1_behaviours", "feature2_name", "feature2_behaviours"]


def test_jsonl_lines_keep_their_numbers_and_problems() -> None:
    lines = [b'\xef\xbb\xbf{"a": 1}\n', b"\n", b"{broken\n", b"\xff\xfe\n", b'{"b": 2}']
    records = list(read_jsonl(lines))
    assert [r.line for r in records] == [1, 2, 3, 4, 5]
    assert records[0].data == {"a": 1} and records[0].problem is None
    assert records[1].problem is not None and "blank line" in records[1].problem.message
    assert records[2].problem is not None and "invalid JSON at column 2" in records[2].problem.message
    assert records[3].problem is not None and "not UTF-8 (byte 1)" in records[3].problem.message
    assert records[4].data == {"b": 2}


def test_a_row_becomes_one_product_with_lists_split_and_empty_cells_left_out() -> None:
    numbers = check_header(HEADER, "leads.csv")
    assert numbers == [1, 2]
    cells = ["某某", "某某App", "app; website", "public", "", "推荐", "recommend_by_profile;hot_list", "", ""]
    answers, columns = row_to_answers(HEADER, cells, numbers)
    assert answers == {"entity": {"name": "某某"}, "products": [{
        "name": "某某App", "forms": ["app", "website"], "audience": ["public"],
        "features": [{"name": "推荐", "behaviours": ["recommend_by_profile", "hot_list"]}]}]}
    assert column_of("products[0].forms[1]", columns) == "forms"
    assert column_of("products[0].features[0].behaviours[1]", columns) == "feature1_behaviours"
    assert column_of("entity.name", columns) == "entity_name"


def test_unsure_is_kept_whole_in_a_list_cell() -> None:
    cells = ["某某", "某某App", "unsure", "UNSURE", "unsure", "推荐", "unsure", "", ""]
    answers, _ = row_to_answers(HEADER, cells, [1, 2])
    product = answers["products"][0]
    assert (product["forms"], product["audience"], product["opinion_features"]) == ("unsure", "UNSURE", "unsure")
    assert product["features"][0]["behaviours"] == "unsure"


@pytest.mark.parametrize(("header", "message"), [
    ([*HEADER, "froms"], "unknown column 'froms'; did you mean 'forms'?"),
    ([*HEADER, "forms"], "column 'forms' appears twice"),
    ([h for h in HEADER if h != "audience"], "required column 'audience' is missing"),
    (["entity_name", "product_name", "forms", "audience"], "no feature columns"),
    ([*HEADER, "feature3_name"], "column 'feature3_behaviours' is missing"),
])
def test_a_bad_header_names_the_column(header: list[str], message: str) -> None:
    with pytest.raises(BatchUsageError) as caught:
        check_header(header, "leads.csv")
    assert message in caught.value.message and caught.value.file == "leads.csv"


def test_a_row_with_the_wrong_number_of_cells_is_a_record_with_a_problem() -> None:
    lines = [(",".join(HEADER) + "\n").encode(), b"a,b,app\n", b",,,,,,,,\n"]
    records = list(read_csv(lines, "leads.csv"))
    assert [r.line for r in records] == [2, 3]
    assert records[0].problem is not None and "3 cells but the header has 9" in records[0].problem.message
    assert records[1].problem is not None and "blank row" in records[1].problem.message
