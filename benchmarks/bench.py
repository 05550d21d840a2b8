"""Benchmark of algo-filing, run by hand (never part of the test suite).

    python benchmarks/bench.py            # the full run: 10,000 and 100,000 batch records
    python benchmarks/bench.py --quick    # a few minutes less: 1,000 and 10,000 records
    python benchmarks/bench.py --only-side-by-side   # the former main, this tree, the baseline

First, side by side in one run (``--only-side-by-side`` for this part alone): a former main
(``--main-ref``, default ce5b664, taken with ``git archive`` and run by this interpreter; or
``--compare PATH``, a checkout run by its own ``.venv``), this tree and the parse-only baseline,
each in fresh processes, on 2,400 documents of about 2,350 shapes never seen by the process
(``benchmarks/varied.py``): assessments per CPU-second (full view, the model alone, triage row),
this tree's full view stage by stage (answers, facts, rules engine, assembly and dating, JSON: where
an assessment's time goes), and the CPU time and peak memory of issue 19's heavy lead (100
products x 2 features x 8 behaviours, every flag true).

Then it measures, for a mixed set of answers documents (``tests/fixtures/batch/mixed.jsonl`` and
every valid ``examples/*.yaml``; each record gets its own entity, product and feature names, as
real leads do), side by side with a baseline that only parses and re-serialises the same input:

* throughput in one process (records per second): the durable-rules stage alone (facts ->
  firings), memoised (the default) and with ``memoize=False``; the whole ``assess()`` (answers
  -> Assessment), with the shape memo off (the default) and on (as batches use it); a batch line
  (JSON line -> assessment JSON, shape memo on and off, or -> triage row);
* peak memory (peak resident set size of a fresh process) of ``algo-filing batch`` for two
  file sizes, and its growth from the smaller to the larger; half the records come from the
  mixed set, half are drawn at random from the whole vocabulary (they fill the engine's memo
  cache, the worst case for memory);
* start-up time of ``algo-filing --version`` (median of several runs) against a bare interpreter.

Targets (2-core development machine): >= 5,000 assessments/s in one process, memory growth
< 10 % from 10k to 100k records, start-up < 300 ms. The figures are printed as they are;
nothing here is tuned to meet them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from varied import DEFAULT_COUNT as VARIED_COUNT  # noqa: E402 - the generator of unseen shapes
from varied import MIXED, heavy_document, mixed_set, shape_count, varied_documents  # noqa: E402, F401

TARGET_RATE = 5000
TARGET_GROWTH = 0.10
TARGET_STARTUP_MS = 300


# ---------------------------------------------------------------- the mixed set

def record(documents: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """Record ``n``: one of the documents, renamed so that no two records share a name."""
    document = json.loads(json.dumps(documents[n % len(documents)]))
    document["entity"]["name"] = f"{document['entity']['name']}·{n}"
    for product in document["products"]:
        product["name"] = f"{product['name']}·{n}"
        for feature in product["features"]:
            feature["name"] = f"{feature['name']}·{n}"
    return document


def records(documents: list[dict[str, Any]], count: int) -> Iterator[dict[str, Any]]:
    for n in range(count):
        yield record(documents, n)


def diverse_record(n: int) -> dict[str, Any]:
    """Record ``n`` drawn at random (seeded by ``n``) from the whole vocabulary.

    Few of these share a shape, so they fill the engine's memo cache: the worst case for memory.
    """
    from engine.model.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    rng = random.Random(n)

    def pick(group: str, low: int, high: int) -> list[str] | str:
        return "unsure" if rng.random() < 0.1 else rng.sample(list(vocab.ids(group)), rng.randint(low, high))

    products = []
    for p in range(rng.choice((1, 1, 2))):
        features = [{"name": f"功能{f}·{n}", "behaviours": pick("behaviour", 1, 3),
                     "model_source": rng.choice([*vocab.ids("model_source"), "unsure"]),
                     "offered_as_api": rng.choice([True, False, "unsure"])}
                    for f in range(rng.randint(1, 3))]
        products.append({"name": f"产品{p}·{n}", "forms": pick("product_form", 1, 3),
                         "audience": pick("audience", 1, 2), "opinion_features": pick("opinion_feature", 0, 2),
                         "user_groups": pick("user_group", 0, 2), "news": rng.choice([True, False, "unsure"]),
                         "commercial": rng.choice([True, False, "unsure"]),
                         "launch_status": rng.choice(vocab.ids("launch_status")), "features": features})
    return {"entity": {"name": f"主体·{n}"}, "products": products}


def write_jsonl(path: Path, documents: list[dict[str, Any]], count: int) -> None:
    """``count`` records: the mixed set (renamed) and diverse random records, alternately."""
    with path.open("w", encoding="utf-8") as stream:
        for n in range(count):
            document = record(documents, n // 2) if n % 2 == 0 else diverse_record(n)
            stream.write(json.dumps(document, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- throughput

def rate(work: Callable[[Any], Any], items: list[Any], *, rounds: int = 3, min_seconds: float = 0.7) -> float:
    """Items per second of ``work`` over ``items``: the best of ``rounds`` timed rounds.

    The best round is the one least disturbed by other work on the machine (as ``timeit``
    advises); each round repeats ``items`` until ``min_seconds`` have passed.
    """
    for item in items[: min(len(items), 50)]:
        work(item)  # warm-up: imports, first compilation, caches of the first shapes
    best = 0.0
    for _ in range(rounds):
        gc.collect()
        done = 0
        started = time.perf_counter()
        while True:
            for item in items:
                work(item)
            done += len(items)
            elapsed = time.perf_counter() - started
            if elapsed >= min_seconds:
                break
        best = max(best, done / elapsed)
    return best


def throughput(documents: list[dict[str, Any]], count: int) -> list[tuple[str, float, float | None]]:
    """(figure, records/s, baseline records/s) for each stage."""
    from engine import SHAPES, assess, assess_json, build_facts, default_rulebook, evaluate, parse_answers

    book = default_rulebook()
    docs = list(records(documents, count))
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    roots = []
    for d in docs:
        model = parse_answers(d)
        roots.append(build_facts(model, model.as_of or book.as_of))

    def baseline(line: str) -> str:
        return json.dumps(json.loads(line), ensure_ascii=False)

    def batch_line(line: str) -> str:
        return assess_json(json.loads(line), shapes=True)  # what `algo-filing batch` writes

    def batch_line_fresh(line: str) -> str:
        return assess_json(json.loads(line))  # the same, shape memo off

    def summary_line(line: str) -> str:
        from engine.intake.triage import triage_row

        document = json.loads(line)
        return triage_row(assess(document, shapes=True), line=1,
                          entity=document["entity"]["name"]).model_dump_json()

    # Records the shape memo has never seen: more distinct shapes than it holds, so that each
    # round finds every one evicted (the engine's own memo, per root fact, may still hit).
    novel = [diverse_record(n) for n in range(max(count, 2 * SHAPES.size))]
    assert len({json.dumps(d["products"], sort_keys=True) for d in novel}) > SHAPES.size

    base = rate(baseline, lines)
    return [
        ("durable-rules stage (facts -> firings), memoised", rate(lambda r: evaluate(r, book), roots), base),
        ("durable-rules stage, memoize=False", rate(lambda r: evaluate(r, book, memoize=False), roots), base),
        ("assess() (answers -> Assessment), memoised", rate(assess, docs), base),
        ("assess(), shape memo on (as batches)", rate(lambda d: assess(d, shapes=True), docs), base),
        ("assess(), memoize=False", rate(lambda d: assess(d, memoize=False), docs), base),
        ("assess(), shape memo on, shapes never seen before",
         rate(lambda d: assess(d, shapes=True), novel), base),
        ("batch line: JSON line -> assessment JSON", rate(batch_line, lines), base),
        ("batch line: JSON line -> assessment JSON, shape memo off", rate(batch_line_fresh, lines), base),
        ("batch line: JSON line -> triage row (--summary)", rate(summary_line, lines), base),
        ("baseline: JSON line -> json.loads -> json.dumps", base, None),
    ]


# ---------------------------------------------------------------- memory (fresh processes)

_PEAK = """
def peak_kb():
    # VmHWM: this process's own peak RSS (ru_maxrss would include the forking parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

_BATCH = _PEAK + """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from engine.intake.batch import run_batch
started = time.perf_counter()
stats = run_batch(Path({src!r}), Path({out!r}), summary={summary!r})
print(json.dumps({{"maxrss_kb": peak_kb(),
                  "seconds": time.perf_counter() - started, "records": stats.records, "errors": stats.errors}}))
"""

_BASELINE = _PEAK + """
import json, sys, time
started = time.perf_counter()
n = 0
with open({src!r}, encoding="utf-8") as src, open({out!r}, "w", encoding="utf-8") as dst:
    for line in src:
        dst.write(json.dumps(json.loads(line), ensure_ascii=False) + "\\n")
        n += 1
print(json.dumps({{"maxrss_kb": peak_kb(),
                  "seconds": time.perf_counter() - started, "records": n, "errors": 0}}))
"""


def run_child(code: str, python: str = sys.executable) -> dict[str, Any]:
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def memory(documents: list[dict[str, Any]], sizes: list[int], workdir: Path,
           full_sizes: list[int]) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    rows: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    for size in sorted(set(sizes) | set(full_sizes)):
        src = workdir / f"leads-{size}.jsonl"
        write_jsonl(src, documents, size)
        base = run_child(_BASELINE.format(src=str(src), out=str(workdir / "baseline.jsonl")))
        if size in sizes:
            out = workdir / f"triage-{size}.jsonl"
            rows.append((f"batch --summary, {size:,} records",
                         run_child(_BATCH.format(root=str(ROOT), src=str(src), out=str(out), summary=True)), base))
            out.unlink()
        if size in full_sizes:
            out = workdir / f"full-{size}.jsonl"
            measured = run_child(_BATCH.format(root=str(ROOT), src=str(src), out=str(out), summary=False))
            measured["output_mb"] = out.stat().st_size / 2**20
            rows.append((f"batch (full assessments), {size:,} records", measured, base))
            out.unlink()
        src.unlink()
    return rows


# ---------------------------------------------------------------- start-up

def startup_ms(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("algo-filing")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


# ---------------------------------------------------------------- side by side with a former main

MAIN_REF = "ce5b664"
"""The main the lean assembly (issue 19 items 1, 2 and 6) is measured against (``--main-ref``
picks another, ``--compare`` another checkout with its own interpreter)."""

_SIDE = _PEAK + """
import json, sys, time
sys.path.insert(0, {root!r})
import engine
assert engine.__file__.startswith({root!r}), engine.__file__
from engine import assess, assess_json, triage_row
try:
    from engine import assess_outline   # triage computes only what it shows
except ImportError:
    assess_outline = None
mode = {mode!r}
lines = open({src!r}, encoding="utf-8").read().splitlines()
warm = open({warm!r}, encoding="utf-8").read().splitlines()

def full(line):
    return assess_json(json.loads(line))

def model(line):
    assess(json.loads(line))
    return ""

def triage(line):
    document = json.loads(line)
    source = assess_outline(document) if assess_outline else assess(document)
    return triage_row(source, line=1, entity=document["entity"]["name"]).model_dump_json()

def parse(line):
    return json.dumps(json.loads(line), ensure_ascii=False)

work = {{"full": full, "model": model, "triage": triage, "parse": parse}}[mode]
for line in warm:
    work(line)   # imports, the rulebook, rulesets compiled: not what is measured
started, wall = time.process_time(), time.perf_counter()
size = 0
for line in lines:
    size += len(work(line))
cpu = time.process_time() - started
print(json.dumps({{"cpu": cpu, "wall": time.perf_counter() - wall, "count": len(lines), "out_bytes": size,
                  "maxrss_kb": peak_kb(), "engine": engine.__file__}}))
"""


_STAGES = """
import json, sys, time
sys.path.insert(0, {root!r})
from engine import assess_json
from engine.model.answers import parse_answers
from engine.model.contract_json import contract_json
from engine.pipeline.assemble import assemble_compact
from engine.pipeline.filed import mark_filed
from engine.pipeline.run import evaluate
from engine.pipeline.unconfirmed import hold_unconfirmed
from engine.rules.facts import build_facts
from engine.rules.rulebook import default_rulebook
for line in open({warm!r}, encoding="utf-8").read().splitlines():
    assess_json(json.loads(line))
book = default_rulebook()
cpu = dict.fromkeys(("json.loads", "answers", "facts", "rules engine", "assembly and dating", "JSON"), 0.0)
clock = time.process_time
lines = open({src!r}, encoding="utf-8").read().splitlines()
for line in lines:
    t0 = clock(); document = json.loads(line); t1 = clock()
    answers = parse_answers(document); when = answers.as_of or book.as_of; t2 = clock()
    roots = build_facts(answers, when, book.derived_flags); t3 = clock()
    firings = evaluate(roots, book); t4 = clock()
    result, trace = assemble_compact(book, roots, firings, when)
    result = hold_unconfirmed(mark_filed(result, answers), answers, book.status.precedence); t5 = clock()
    contract_json(result, indent=None, trace=trace); t6 = clock()
    for stage, spent in zip(cpu, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
        cpu[stage] += spent
print(json.dumps({{stage: 1000 * spent / len(lines) for stage, spent in cpu.items()}}))
"""
"""The full view of this tree stage by stage (``engine.pipeline.run.assess_json`` makes the same calls), in CPU
milliseconds per unseen document: where the time of an assessment goes."""


def checkout(ref: str, workdir: Path) -> Path:
    """The source tree of ``ref`` (``git archive``), run with this interpreter: its packages are
    the same pins, and ``sys.path`` puts the archived ``engine`` first (the child checks)."""
    target = workdir / f"main-{ref}"
    target.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def interpreter(tree: Path) -> str:
    """The Python of a checkout: its own ``.venv`` when it has one, else this interpreter."""
    own = tree / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def side_by_side(ref: str, count: int, compare: Path | None = None) -> None:
    """Assessments per CPU-second on unseen shapes (full view, the model alone, triage) and the
    heavy lead, for the former main (``compare``, a checkout run by its own interpreter, else
    ``ref`` by ``git archive``), this tree and the parse-only baseline, each in a fresh process."""
    documents, sources = mixed_set(compare.resolve()) if compare else mixed_set()
    if compare:
        print(f"documents drawn from the former main's leads and examples: {'; '.join(sources)}")
    varied = varied_documents(documents, count + 200, compare.resolve() if compare else ROOT)
    shapes = shape_count(varied[200:])
    workdir = Path(tempfile.mkdtemp(prefix="algo-filing-side-"))
    try:
        old = compare.resolve() if compare else checkout(ref, workdir)
        old_python = interpreter(old)
        src, warm, heavy = workdir / "varied.jsonl", workdir / "warm.jsonl", workdir / "heavy.jsonl"
        src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in varied[200:]), encoding="utf-8")
        warm.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
        heavy_lead = heavy_document(old if compare else ROOT)
        heavy.write_text(json.dumps(heavy_lead, ensure_ascii=False) + "\n", encoding="utf-8")
        described = f"{old} run by {old_python}" if compare else f"{ref} (git archive, same interpreter)"
        print(f"side by side: {count:,} documents, {shapes:,} distinct shapes (never seen by the process: "
              f"it is warmed on the {len(documents)} documents of the mixed set); former main = {described}; "
              "each figure in a fresh process")

        def run(root: Path, mode: str, source: Path) -> dict[str, Any]:
            python = old_python if root == old else sys.executable
            return run_child(_SIDE.format(root=str(root), mode=mode, src=str(source), warm=str(warm)), python)

        base = run(ROOT, "parse", src)
        base_rate = base["count"] / base["cpu"]
        rows = []
        for label, mode in (("full view (assess_json), unseen shapes", "full"),
                            ("assess() alone (the model, no JSON)", "model"),
                            ("triage row, unseen shapes", "triage")):
            now, before = run(ROOT, mode, src), run(old, mode, src)
            rows.append((label, now["count"] / now["cpu"], before["count"] / before["cpu"]))
        print(f"  {'assessments per CPU-second':<44} {'this tree':>10} {'main':>10} {'x main':>8} {'parse-only':>11}")
        for label, now_rate, main_rate in rows:
            print(f"  {label:<44} {now_rate:>10,.0f} {main_rate:>10,.0f} {now_rate / main_rate:>7.1f}x"
                  f" {base_rate:>11,.0f}")
        cheaper = [rows[2][i] / rows[0][i] for i in (1, 2)]
        print(f"  {'triage: times cheaper than the full view':<44} {cheaper[0]:>9.1f}x {cheaper[1]:>9.1f}x")
        stages = run_child(_STAGES.format(root=str(ROOT), src=str(src), warm=str(warm)))
        print(f"  {'this tree, full view by stage (CPU ms per document)':<44} "
              + ", ".join(f"{stage} {ms:.2f}" for stage, ms in stages.items())
              + f"; all {sum(stages.values()):.2f}")
        print("  heavy lead (100 products x 2 features x 8 behaviours, every flag true), one fresh process each:")
        print(f"  {'':<44} {'this tree':>21} {'main':>21}")
        for label, mode in (("full view: CPU s, peak RSS MiB, output MiB", "full"),
                            ("triage row: CPU s, peak RSS MiB", "triage")):
            now, before = run(ROOT, mode, heavy), run(old, mode, heavy)
            cells = [f"{r['cpu']:.2f} s {r['maxrss_kb'] / 1024:,.0f} MiB" + (
                f" {r['out_bytes'] / 2**20:.1f}" if mode == "full" else "") for r in (now, before)]
            print(f"  {label:<44} {cells[0]:>21} {cells[1]:>21}")
        print()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------- report

def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _fmt_rate(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def report_throughput(documents: list[dict[str, Any]], count: int) -> None:
    """Print the throughput table."""
    print(f"throughput, one process, best of 3 rounds of >= {count:,} records (records/s)")
    print(f"  {'figure':<56} {'algo-filing':>12} {'baseline':>10} {'ratio':>8}  target")
    for name, value, base in throughput(documents, count):
        ratio = f"{value / base:.3f}x" if base else ""
        target = ""
        if ("memoised" in name or "memo on" in name) and base:
            target = f">= {TARGET_RATE:,}: " + ("met" if value >= TARGET_RATE else "MISSED")
            if "never seen" in name:
                target += " (worst case; the target is set for the mixed set)"
        print(f"  {name:<56} {_fmt_rate(value):>12} {_fmt_rate(base):>10} {ratio:>8}  {target}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch sizes 1,000 and 10,000 instead of 10k and 100k")
    parser.add_argument("--sizes", type=int, nargs=2, default=None, metavar=("SMALL", "LARGE"))
    parser.add_argument("--records", type=int, default=None,
                        help="records per throughput round (default: 20 per document of the mixed set)")
    parser.add_argument("--startup-runs", type=int, default=15)
    parser.add_argument("--main-ref", default=MAIN_REF, help=f"the former main to compare with (default {MAIN_REF})")
    parser.add_argument("--compare", type=Path, default=None, metavar="PATH",
                        help="a checkout of the former main to compare with, run by its own .venv's interpreter "
                             "when it has one (instead of --main-ref)")
    parser.add_argument("--varied", type=int, default=VARIED_COUNT,
                        help=f"documents of the side-by-side run (default {VARIED_COUNT:,})")
    parser.add_argument("--only-side-by-side", action="store_true",
                        help="only the side-by-side run (former main, this tree, parse-only baseline)")
    parser.add_argument("--skip-side-by-side", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-startup", action="store_true")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [10_000, 100_000])

    from engine import default_rulebook

    documents, sources = mixed_set()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    print(f"algo-filing benchmark · nproc {os.cpu_count()} · {cpu} · Python {platform.python_version()}")
    print(f"rules {default_rulebook().rules_version} · mixed set: {len(documents)} documents ("
          + "; ".join(sources) + "), names varied per record")
    print(f"load average at start: {_load()} (other work on the machine skews every figure)")
    print()

    if not args.skip_side_by_side:
        side_by_side(args.main_ref, args.varied, args.compare)
    if args.only_side_by_side:
        print(f"load average at the end: {_load()}")
        return 0
    if not args.skip_throughput:
        report_throughput(documents, args.records or 20 * len(documents))
    if not args.skip_memory:
        workdir = Path(tempfile.mkdtemp(prefix="algo-filing-bench-"))
        try:
            rows = memory(documents, sizes, workdir, full_sizes=sizes[:1])
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print("peak memory of a fresh process (peak RSS, VmHWM, MiB), and its run time")
        print(f"  {'run':<52} {'algo-filing':>12} {'baseline':>10} {'ratio':>8}  {'s':>7} {'rec/s':>8}")
        summary_rss: list[float] = []
        base_rss: list[float] = []
        for name, measured, base in rows:
            rss, brss = measured["maxrss_kb"] / 1024, base["maxrss_kb"] / 1024 if base else 0.0
            extra = f"  ({measured['output_mb']:,.0f} MiB written)" if "output_mb" in measured else ""
            print(f"  {name:<56} {rss:>12.1f} {brss:>10.1f} {rss / brss:>7.2f}x  {measured['seconds']:>7.1f} "
                  f"{measured['records'] / measured['seconds']:>8,.0f}{extra}")
            if "--summary" in name:
                summary_rss.append(rss)
                base_rss.append(brss)
        if len(summary_rss) == 2:
            growth = summary_rss[1] / summary_rss[0] - 1
            base_growth = base_rss[1] / base_rss[0] - 1
            verdict = "met" if growth < TARGET_GROWTH else "MISSED"
            print(f"  {'growth ' + f'{sizes[0]:,} -> {sizes[1]:,} records':<52} {growth:>+11.1%} {base_growth:>+10.1%}"
                  f" {'':>8}  < {TARGET_GROWTH:.0%}: {verdict}")
        print()

    if not args.skip_startup:
        command = cli_command()
        cli_ms = startup_ms([*command, "--version"], args.startup_runs)
        bare_ms = startup_ms([sys.executable, "-c", "import json"], args.startup_runs)
        verdict = "met" if cli_ms < TARGET_STARTUP_MS else "MISSED"
        print(f"start-up, median of {args.startup_runs} runs (ms)")
        label = "algo-filing --version vs bare `python -c 'import json'`"
        print(f"  {label:<52} {cli_ms:>12.0f} {bare_ms:>10.0f}"
              f" {cli_ms / bare_ms:>7.2f}x  < {TARGET_STARTUP_MS} ms: {verdict}")
        print(f"  ({' '.join(Path(c).name for c in command)})")
    print(f"load average at the end: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
