"""Varied answers documents, as an intake engineer meets them: the benchmarks' input on unseen shapes.

The published speed of a shape seen before (the shape memo) says nothing about a stream of leads
that each differ a little. :func:`varied_documents` draws ``count`` documents from the examples
and the mixed leads (``tests/fixtures/batch/mixed.jsonl`` + every valid ``examples/*.yaml``) and
varies each one as leads vary: new names for the entity, every product and every feature, and at
random other product forms, opinion features, user groups, launch dates and behaviours. The
draw is seeded by the document's number, so the same ``count`` gives the same documents on every
machine and in every checkout (old mains included: the benchmark sends these documents through
them). 2,400 documents hold more than 2,000 distinct shapes.

:func:`heavy_document` is issue 19's heavy lead (100 products x 2 features x 8 behaviours, every
flag true, about 90 KB of JSON), which must cost under 2 s and 300 MB in any view.

    python benchmarks/varied.py 2400 > varied.jsonl    # prints the number of shapes on stderr
    python benchmarks/varied.py --heavy > heavy.json

``benchmarks/bench.py`` and ``benchmarks/bench_service.py`` import it; so does the slow test
of the heavy lead.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MIXED = ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl"
DEFAULT_COUNT = 2400
"""Documents of the side-by-side run: more than 2,000 distinct shapes among them."""


def mixed_set(root: Path = ROOT) -> tuple[list[dict[str, Any]], list[str]]:
    """The documents the variations start from (the mixed leads, then the valid examples), and
    where they come from.

    ``root`` is the checkout whose leads and examples are read: another one (a former main, for
    ``bench.py --compare``) gives its examples as written (raw YAML, dates as ISO text), so that
    both checkouts read the same documents; those this tree refuses are left out.
    """
    from engine import AnswersError, load_answers, parse_answers
    from engine.model.yamlio import read_data_file

    mixed = root / MIXED.relative_to(ROOT)
    documents = [json.loads(line) for line in mixed.read_text(encoding="utf-8").splitlines() if line.strip()]
    sources = [f"{len(documents)} leads of {mixed}"]
    used = 0
    for path in sorted((root / "examples").glob("*.yaml")):
        try:
            if root == ROOT:
                documents.append(load_answers(path).model_dump(mode="json", exclude_none=True))
            else:
                raw = json.loads(json.dumps(read_data_file(path), default=_iso, ensure_ascii=False))
                parse_answers(raw)
                documents.append(raw)
            used += 1
        except AnswersError:
            sources.append(f"skipped invalid {path.name}")
    sources.insert(1, f"{used} examples/*.yaml")
    return documents, sources


def _iso(value: Any) -> str:
    """A date of a YAML file as JSON text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


class _Common:
    """The ids of this tree's vocabulary that another checkout's ``rules/vocabulary.yaml`` also
    holds, in this tree's order: the ids a former main reads too (its vocabulary may differ)."""

    def __init__(self, root: Path) -> None:
        from engine.model.vocabulary import load_vocabulary
        from engine.model.yamlio import read_data_file

        self.ours = load_vocabulary()
        self.theirs = read_data_file(root / "rules" / "vocabulary.yaml")["groups"]

    def ids(self, group: str) -> tuple[str, ...]:
        return tuple(i for i in self.ours.ids(group) if i in self.theirs.get(group, {}))


def varied_documents(documents: list[dict[str, Any]] | None = None, count: int = DEFAULT_COUNT,
                     root: Path = ROOT) -> list[dict[str, Any]]:
    """``count`` documents drawn in turn from ``documents`` (default: :func:`mixed_set`), each
    varied with a generator seeded by its number: the same call gives the same documents.
    With another checkout's ``root`` (``bench.py --compare``) the ids drawn are those both
    vocabularies hold, so that both checkouts read every document."""
    from engine.model.vocabulary import load_vocabulary

    if documents is None:
        documents = mixed_set()[0]
    vocab: Any = load_vocabulary() if root == ROOT else _Common(root)
    out = []
    for n in range(count):
        document = json.loads(json.dumps(documents[n % len(documents)]))
        document["entity"]["name"] = f"主体{n}"
        _vary(document, n, random.Random(n), vocab)
        out.append(document)
    return out


def _vary(document: dict[str, Any], n: int, rng: random.Random, vocab: Any) -> None:
    """New names everywhere; each product's forms, opinion features, user groups and launch date,
    and each feature's behaviours, replaced at random (half the time; behaviours 30 %)."""
    def some(group: str, low: int, high: int) -> list[str]:
        ids = list(vocab.ids(group))
        return rng.sample(ids, rng.randint(low, min(high, len(ids))))

    for p, product in enumerate(document["products"]):
        product["name"] = f"产品{n}-{p}"
        if rng.random() < 0.5:
            product["forms"] = some("product_form", 1, 3)
        if rng.random() < 0.5:
            product["opinion_features"] = some("opinion_feature", 0, 3)
        if rng.random() < 0.5:
            product["user_groups"] = some("user_group", 0, 3)
        if rng.random() < 0.5:
            product["launch_date"] = (datetime.date(2021, 1, 4) + datetime.timedelta(days=rng.randint(0, 2200))
                                      ).isoformat()
        for f, feature in enumerate(product["features"]):
            feature["name"] = f"功能{n}-{p}-{f}"
            if rng.random() < 0.3:
                feature["behaviours"] = some("behaviour", 1, 3)


def shape_count(documents: list[dict[str, Any]]) -> int:
    """How many distinct answers shapes (the documents without names and descriptions) there are."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("name", "description", "credit_code")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return len({json.dumps(strip(d), sort_keys=True, ensure_ascii=False) for d in documents})


def heavy_document(root: Path = ROOT) -> dict[str, Any]:
    """Issue 19's heavy lead: 100 products x 2 features x 8 behaviours, every flag true (with
    another checkout's ``root``, every id both vocabularies hold)."""
    from engine.model.vocabulary import load_vocabulary

    vocab: Any = load_vocabulary() if root == ROOT else _Common(root)
    behaviours = list(vocab.ids("behaviour"))
    products = []
    for p in range(100):
        features = [{"name": f"功能{p}-{f}", "behaviours": [behaviours[(16 * p + 8 * f + i) % len(behaviours)]
                                                          for i in range(8)],
                     "offered_as_api": True, "large_model": True, "biometric_output": True,
                     "model_source": vocab.ids("model_source")[0]} for f in range(2)]
        products.append({"name": f"产品{p}", "forms": list(vocab.ids("product_form")),
                         "audience": list(vocab.ids("audience")),
                         "opinion_features": list(vocab.ids("opinion_feature")),
                         "user_groups": list(vocab.ids("user_group")), "news": True, "commercial": True,
                         "monthly_active_users": 2_000_000, "launch_date": "2026-03-02", "features": features})
    return {"entity": {"name": "某某集团"}, "products": products}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, nargs="?", default=DEFAULT_COUNT)
    parser.add_argument("--heavy", action="store_true", help="print the heavy lead instead")
    args = parser.parse_args(argv)
    if args.heavy:
        print(json.dumps(heavy_document(), ensure_ascii=False))
        return 0
    documents = varied_documents(count=args.count)
    for document in documents:
        print(json.dumps(document, ensure_ascii=False))
    print(f"{len(documents):,} documents, {shape_count(documents):,} distinct shapes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
