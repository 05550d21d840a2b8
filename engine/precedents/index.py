"""The precedent index: SQLite FTS5 with the trigram tokenizer, built once and cached.

Why FTS5 and trigrams: the lists are Chinese, and a trigram index needs no word segmenter, no
extra dependency (SQLite ships with Python) and no server; bm25 ranking is built in. The
figures behind the choice (build time, index size, query p99) are in the README ("Precedents").

The index is built at first use from the shipped lists and kept in the user's cache folder
(``$ALGO_FILING_CACHE_DIR``, else ``$XDG_CACHE_HOME/algo-filing``, else ``~/.cache/algo-filing``)
under a name carrying the SHA-256 of the lists, so changed lists are indexed again. It is written
to a temporary file and renamed into place (a reader never sees half an index; two processes
building at once both succeed). Where the cache folder cannot be written the index lives in
memory for the process.

A query is a sentence, not a query language: it is cut into the same trigrams the index holds,
trigrams found in no row or in more than :data:`COMMON_SHARE` of the rows (the published
pattern "应用于…场景，根据…" is in nearly all) are dropped, and the rest, rarest first and at most
:data:`MAX_TERMS`, are OR-ed and ranked by bm25.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from engine.precedents.rows import Precedent, data_digest, read_rows

SCHEMA = 2
"""Bumped when the index's layout changes: an older cached index is then built again."""

MAX_QUERY_CHARS = 1_000
"""The most characters of a query that are searched (a 10,000-character paste stays fast)."""

MAX_TERMS = 48
"""The most trigrams one query searches for (the rarest ones)."""

COMMON_SHARE = 0.2
"""Trigrams in more than this share of the rows tell nothing apart and are not searched."""

WEIGHTS = (2.0, 1.0, 0.3)
"""bm25 weights of the name, purpose and products columns."""

_DDL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE filings(id INTEGER PRIMARY KEY, entity TEXT NOT NULL, type TEXT NOT NULL, subtype TEXT,
                     label TEXT NOT NULL, role TEXT, forms TEXT NOT NULL, doc TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(name, purpose, products, tokenize='trigram', content='');
CREATE VIRTUAL TABLE vocab USING fts5vocab(fts, 'row');
CREATE TABLE df(term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Hit:
    """One row found: the filing, its bm25 relevance (higher is nearer) and the shared text."""

    precedent: Precedent
    relevance: float
    shared: tuple[str, ...]


def cache_dir() -> Path:
    """Where the index is cached (see the module docstring)."""
    if explicit := os.environ.get("ALGO_FILING_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "algo-filing"


def fold(text: str) -> str:
    """The text as the index compares it: NFKC (full-width letters and digits), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def trigrams(text: str) -> list[str]:
    """The distinct trigrams of ``text`` (folded) in order, none containing white space."""
    folded = fold(text)
    grams = (folded[i:i + 3] for i in range(len(folded) - 2))
    return list(dict.fromkeys(g for g in grams if not any(ch.isspace() for ch in g)))


def _fill(conn: sqlite3.Connection, rows: list[Precedent], digest: str) -> None:
    conn.executescript(_DDL)
    conn.executemany(
        "INSERT INTO filings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(r.row, r.entity, r.type, r.subtype, r.label, r.role,
          " " + " ".join(f for p in r.products for f in p.forms) + " ", r.model_dump_json()) for r in rows])
    conn.executemany("INSERT INTO fts(rowid, name, purpose, products) VALUES (?, ?, ?, ?)",
                     [(r.row, fold(r.name), fold(r.purpose), fold(r.products_text)) for r in rows])
    conn.execute("INSERT INTO df SELECT term, doc FROM vocab")  # fts5vocab has no index: keep a copy that has
    conn.executemany("INSERT INTO meta VALUES (?, ?)",
                     [("digest", digest), ("schema", str(SCHEMA)), ("rows", str(len(rows)))])
    conn.commit()


def _valid(conn: sqlite3.Connection, digest: str) -> bool:
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return False
    return meta.get("digest") == digest and meta.get("schema") == str(SCHEMA)


def _connect(path: Path | str) -> sqlite3.Connection:
    return sqlite3.connect(path, check_same_thread=False)


def _build_file(folder: Path, name: str, rows: list[Precedent], digest: str) -> Path:
    """Build the index in a temporary file of ``folder`` and rename it to ``name``."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".precedents-", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        conn = _connect(tmp)
        try:
            _fill(conn, rows, digest)
        finally:
            conn.close()
        os.replace(tmp, folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    for old in folder.glob("precedents-*.sqlite"):  # indexes of earlier lists
        if old.name != name:
            with contextlib.suppress(OSError):
                old.unlink()
    return folder / name


class PrecedentIndex:
    """An open index; :meth:`search` may be called from several threads."""

    def __init__(self, conn: sqlite3.Connection, *, location: str) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.location = location
        self.rows = int(conn.execute("SELECT value FROM meta WHERE key = 'rows'").fetchone()[0])
        self.class_rows: dict[tuple[str, str | None], int] = {
            (type_, subtype): count for type_, subtype, count in conn.execute(
                "SELECT type, subtype, COUNT(*) FROM filings GROUP BY type, subtype ORDER BY type, subtype")}
        """Rows per class (type, sub-type): how common each class is among the published filings."""

    @classmethod
    def open(cls, data_directory: Path | None = None, cache_directory: Path | None = None) -> PrecedentIndex:
        """The cached index of the lists in ``data_directory`` (built first where missing or stale)."""
        digest = data_digest(data_directory)
        folder = cache_directory or cache_dir()
        path = folder / f"precedents-{digest[:16]}-v{SCHEMA}.sqlite"
        if path.is_file():
            conn = _connect(path)
            if _valid(conn, digest):
                return cls(conn, location=str(path))
            conn.close()
        rows = read_rows(data_directory)
        try:
            built = _build_file(folder, path.name, rows, digest)
        except OSError:  # no writable cache folder: keep the index in memory
            conn = _connect(":memory:")
            _fill(conn, rows, digest)
            return cls(conn, location=":memory:")
        return cls(_connect(built), location=str(built))

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def terms(self, text: str) -> list[str]:
        """The trigrams of ``text`` worth searching: in some row, in few rows, rarest first."""
        grams = trigrams(text[:MAX_QUERY_CHARS])
        if not grams:
            return []
        frequency: dict[str, int] = {}
        with self._lock:
            for start in range(0, len(grams), 500):
                chunk = grams[start:start + 500]
                marks = ",".join("?" * len(chunk))
                frequency.update(self._conn.execute(
                    f"SELECT term, doc FROM df WHERE term IN ({marks})", chunk).fetchall())
        ceiling = max(COMMON_SHARE * self.rows, 1)
        kept = [g for g in grams if 0 < frequency.get(g, 0) <= ceiling]
        return sorted(kept, key=lambda g: frequency[g])[:MAX_TERMS]

    def search(self, text: str, *, top: int = 10, type_: str | None = None, form: str | None = None,
               role: str | None = None, exclude_entity: str | None = None) -> list[Hit]:
        """The ``top`` rows nearest to ``text`` that pass the filters, nearest first.

        ``type_`` is an algorithm type or sub-type id, ``form`` a product_form id, ``role`` a role
        id; ``exclude_entity`` leaves out one entity's rows (the benchmark's leave-one-company-out).
        """
        terms = self.terms(text)
        if not terms or top < 1:
            return []
        query = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = ("SELECT f.doc, -bm25(fts, ?, ?, ?) AS relevance FROM fts JOIN filings f ON f.id = fts.rowid "
               "WHERE fts MATCH ?")
        params: list[object] = [*WEIGHTS, query]
        for clause, values in (("(f.type = ? OR f.subtype = ?)", (type_, type_)), ("f.forms LIKE ?", (f"% {form} %",)),
                               ("f.role = ?", (role,)), ("f.entity != ?", (exclude_entity,))):
            if None not in values and (clause != "f.forms LIKE ?" or form is not None):
                sql += " AND " + clause
                params += values
        sql += " ORDER BY relevance DESC, f.id LIMIT ?"
        params.append(top * 2 + 10)  # room for rows that share only part of a Latin word
        with self._lock:
            found = self._conn.execute(sql, params).fetchall()
        hits = (_hit(doc, relevance, terms) for doc, relevance in found)
        return list(itertools.islice((hit for hit in hits if hit.shared), top))


def _hit(doc: str, relevance: float, terms: list[str]) -> Hit:
    precedent = Precedent.model_validate_json(doc)
    return Hit(precedent=precedent, relevance=round(relevance, 6),
               shared=shared_spans("\n".join((precedent.name, precedent.purpose, precedent.products_text)), terms))


def _word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _whole_words(text: str, start: int, end: int) -> str:
    """``text[start:end]`` less a Latin word cut at either end (only part of it is shared)."""
    while start < end and start > 0 and _word_char(text[start - 1]) and _word_char(text[start]):
        start += 1
    while end > start and end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]):
        end -= 1
    return text[start:end].strip()


def shared_spans(text: str, terms: list[str]) -> tuple[str, ...]:
    """The stretches of ``text`` covered by the query's trigrams, in order, each once.

    A stretch of Latin letters or digits counts only as a whole word: "ation" inside
    "Location" is a coincidence of letters, not a shared term.
    """
    folded = fold(text)
    if len(folded) != len(text):  # NFKC changed the length: mark on the folded text
        text = folded
    covered = [False] * len(text)
    for term in terms:
        at = folded.find(term)
        while at != -1:
            covered[at:at + len(term)] = [True] * len(term)
            at = folded.find(term, at + 1)
    spans: list[str] = []
    start: int | None = None
    for i, on in enumerate([*covered, False]):
        if on and text[i] != "\n":
            start = i if start is None else start
            continue
        if start is not None:
            spans.append(_whole_words(text, start, i))
            start = None
    return tuple(dict.fromkeys(s for s in spans if sum(ch.isalnum() for ch in s) >= 2))


_OPEN: dict[tuple[Path | None, Path | None], PrecedentIndex] = {}
_OPEN_LOCK = threading.Lock()


def default_index(data_directory: Path | None = None, cache_directory: Path | None = None) -> PrecedentIndex:
    """The index of the shipped lists, opened once per process (and per folder pair)."""
    key = (data_directory, cache_directory)
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = PrecedentIndex.open(data_directory, cache_directory)
        return _OPEN[key]

