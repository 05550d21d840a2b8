"""The library is safe to call from many threads: threaded results equal sequential ones, byte for byte.

durable-rules keeps per-process state (one host, registered rulesets, live sessions), so the
engine serialises its calls; these tests prove that what callers see does not depend on how
many threads call at once, with memoisation on and off, in a warm process and in a fresh one
where the threads race to create the host and the runtimes.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from engine import answers_json_schema, assess, assessment_json_schema, load_answers

ROOT = Path(__file__).resolve().parent.parent
MIXED = ROOT / "tests" / "fixtures" / "batch" / "mixed.jsonl"
THREADS = 8


def mixed_documents() -> list[dict[str, Any]]:
    return [json.loads(line) for line in MIXED.read_text(encoding="utf-8").splitlines()]


def test_threaded_calls_give_the_same_bytes_as_sequential_calls() -> None:
    documents = mixed_documents()
    jobs = [(i, memoize) for i in range(len(documents)) for memoize in (True, False)] * 3
    random.Random(4).shuffle(jobs)
    sequential = {(i, memoize): assess(documents[i], memoize=memoize).to_json()
                  for i, memoize in set(jobs)}

    def run(job: tuple[int, bool]) -> tuple[tuple[int, bool], str, str]:
        index, memoize = job
        return job, threading.current_thread().name, assess(documents[index], memoize=memoize).to_json()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, inside the engine's calls too
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(pool.map(run, jobs))
    finally:
        sys.setswitchinterval(interval)

    assert len(results) == len(jobs)
    assert len({name for _, name, _ in results}) > 1, "the jobs ran on several threads"
    for job, _, text in results:
        assert text == sequential[job], f"document {job[0]} (memoize={job[1]}) differs when threaded"


def _renamed(document: dict[str, Any], lead: int) -> dict[str, Any]:
    renamed = json.loads(json.dumps(document))
    for product in renamed["products"]:
        product["name"] = f"{product['name']}·{lead}"
        for feature in product["features"]:
            feature["name"] = f"{feature['name']}·{lead}"
    return renamed


@pytest.mark.slow
def test_threads_sharing_templates_fill_in_each_leads_own_names() -> None:
    """Leads of one shape under other names, assessed at once: each gets its own names."""
    from engine import SHAPES, assess_json

    SHAPES.clear()
    documents = mixed_documents()
    leads = [(i, lead) for i in range(len(documents)) for lead in range(6)]
    random.Random(7).shuffle(leads)
    expected = {(i, lead): assess(_renamed(documents[i], lead), memoize=False).to_json(indent=None)
                for i, lead in leads}

    def run(job: tuple[int, int]) -> tuple[tuple[int, int], str, str]:
        document = _renamed(documents[job[0]], job[1])
        return job, assess(document, shapes=True).to_json(indent=None), assess_json(document, shapes=True)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(pool.map(run, leads))
    finally:
        sys.setswitchinterval(interval)
    assert len(SHAPES) > 0, "no template was made: the test would prove nothing"
    for job, from_model, as_text in results:
        assert from_model == expected[job] and as_text == expected[job], f"lead {job} differs when threaded"


@pytest.mark.slow
def test_threads_racing_in_a_fresh_process_agree_with_sequential_calls() -> None:
    """Eight threads make the process's first calls at once (host, rulebook, runtimes created lazily)."""
    script = f"""
import json, sys, threading
sys.path.insert(0, {str(ROOT)!r})
from engine import assess
documents = [json.loads(l) for l in open({str(MIXED)!r}, encoding="utf-8").read().splitlines()]
barrier = threading.Barrier({THREADS})
threaded = {{}}
def run(k):
    barrier.wait(timeout=30)
    for i in range(len(documents)):
        j = (i + k) % len(documents)
        threaded[(k, j)] = assess(documents[j], memoize=bool(k % 2)).to_json()
threads = [threading.Thread(target=run, args=(k,)) for k in range({THREADS})]
for t in threads: t.start()
for t in threads: t.join(timeout=120)
sequential = {{(m, j): assess(d, memoize=m).to_json() for j, d in enumerate(documents) for m in (True, False)}}
bad = [key for key, text in threaded.items() if text != sequential[(bool(key[0] % 2), key[1])]]
print(json.dumps({{"compared": len(threaded), "differ": bad}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["compared"] == THREADS * len(mixed_documents())
    assert report["differ"] == []


def test_the_library_contract_is_public() -> None:
    """``load_answers`` and both JSON Schemas are part of the public API, next to ``assess``."""
    answers = load_answers(ROOT / "examples" / "news_app.yaml")
    assert assess(answers).filing.status == "required"
    assert set(answers_json_schema()["required"]) == {"entity", "products"}
    schema = assessment_json_schema()
    assert list(schema["properties"]) == [
        "schema_version", "rules_version", "filing", "algorithms", "laws", "targets", "obligations", "materials",
        "steps", "display", "open_questions", "trace", "catalogue"]


@pytest.mark.parametrize("memoize", [True, False])
def test_a_model_and_a_dict_give_the_same_assessment(memoize: bool) -> None:
    from engine import parse_answers

    document = mixed_documents()[1]
    assert assess(parse_answers(document), memoize=memoize).to_json() == assess(document, memoize=memoize).to_json()
