"""The official filing lists as rows in the tool's vocabulary.

The lists are published with their own labels (``../shared/data/README.md``): a category per
domestic row, a role per deep-synthesis row, products as ``名称（形式）`` items. Each row becomes a
:class:`Precedent` with the vocabulary's ids:

* ``type``/``subtype``: 2024 split the old ``检索过滤类`` into ``信息检索类`` and ``内容过滤类``; the
  2022-2023 ``检索过滤类`` rows are read by their purpose (content-security wording means content
  filtering, otherwise a search);
* ``role``: deep-synthesis rows only (the other types file no role);
* ``products``: each item with its service forms as ``product_form`` ids;
* ``cancelled``: the remark says ``已注销``.

The ten 2022 domestic generation rows are listed again, with the same filing numbers, in the
2023-06 deep-synthesis batch; only the deep-synthesis row (which has a role) is kept.
"""

from __future__ import annotations

import builtins
import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from engine.errors import LoadError
from engine.model.base import StrictModel

DATA_FILES = ("official-filings-2022-2023.csv", "official-filings-2024-2026.csv")
"""The shipped lists, in the order their rows are numbered."""

COLUMNS = ("list", "batch", "algorithm_name", "category", "role", "entity", "products", "purpose",
           "filing_number", "remark")

CATEGORIES: dict[str, tuple[str, str | None]] = {
    "生成合成类": ("generation_synthesis", None),
    "个性化推送类": ("personalized_push", None),
    "排序精选类": ("ranking_selection", None),
    "调度决策类": ("scheduling_decision", None),
    "信息检索类": ("retrieval_filtering", "information_retrieval"),
    "内容过滤类": ("retrieval_filtering", "content_filtering"),
    "检索过滤类": ("retrieval_filtering", None),  # sub-type read from the purpose
}
"""Published category label -> (algorithm_type id, algorithm_subtype id)."""

ROLES = {"服务提供者": "service_provider", "服务技术支持者": "technical_supporter"}

FILTERING_CUES = ("安全", "风险", "违法", "违规", "过滤", "审核", "不良", "有害", "垃圾", "敏感")
"""Words of a 2022-2023 ``检索过滤类`` purpose that make it content filtering (README: "进行内容
安全风险识别，发现和处置违法违规信息内容"); without one the row is a search."""

FORMS = {"网站": "website", "网页版": "website", "APP": "app", "小程序": "mini_program",
         "公众账号": "official_account", "公众号": "official_account", "其他": "other", "H5": "other"}
"""Published service form -> product_form id (any ``…小程序`` is a mini-program)."""

CANCELLED = "已注销"


class PublishedProduct(StrictModel):
    """One product of a filing as published, with its service forms as ids.

    Not ``Product``: that is the answers' product, and the service's OpenAPI document holds both
    models side by side, where one name would hide the other.
    """

    name: str
    forms: list[str]


class Precedent(StrictModel):
    """One published filing, normalised (``category`` and ``products_text`` as published)."""

    row: int
    list: Literal["domestic", "deep_synthesis"]
    batch: str
    name: str
    category: str
    type: str
    subtype: str | None
    role: str | None
    entity: str
    products_text: str
    products: builtins.list[PublishedProduct]
    purpose: str
    filing_number: str
    remark: str
    cancelled: bool

    @property
    def label(self) -> str:
        """The class the benchmark scores: the sub-type where there is one, else the type."""
        return self.subtype or self.type


def data_dir() -> Path:
    """The folder of the shipped lists (package data of ``engine.precedents``)."""
    return Path(str(resources.files("engine.precedents"))) / "data"


def data_digest(directory: Path | None = None) -> str:
    """The SHA-256 of the shipped lists: the cached index is rebuilt when it changes."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(name.encode() + b"\0" + ((directory or data_dir()) / name).read_bytes())
    return digest.hexdigest()


def split_items(text: str) -> list[str]:
    """``a（x）、b（y、z）`` -> ``["a（x）", "b（y、z）"]``: split on ``、`` outside brackets."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(depth - 1, 0)
        if ch == "、" and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return [item for item in items if item and item != "--"]


def _form_id(text: str) -> str | None:
    text = text.strip()
    return FORMS.get(text.upper() if text.isascii() else text) or ("mini_program" if text.endswith("小程序") else None)


def parse_product(item: str) -> PublishedProduct:
    """``抖音（APP、网站）`` -> Product(抖音, [app, website]); a bracket naming no form stays in the name.

    A trailing ``等`` ("and others", as in ``百度贴吧（APP）等``) is dropped.
    """
    item = item.removesuffix("等").strip() if item.endswith(("）等", ")等")) else item
    if item.endswith(("）", ")")):
        opening = max(item.rfind("（"), item.rfind("("))
        if opening > 0:
            forms = [_form_id(part) for part in item[opening + 1:-1].split("、")]
            if forms and all(forms):
                unique = list(dict.fromkeys(f for f in forms if f))
                return PublishedProduct(name=item[:opening].strip(), forms=unique)
    return PublishedProduct(name=item, forms=[])


def parse_products(text: str) -> list[PublishedProduct]:
    """The products of a row (``--``, a supporter's "no product", gives none)."""
    return [parse_product(item) for item in split_items(text)]


def _type_of(raw: dict[str, str], where: str) -> tuple[str, str | None]:
    category = raw["category"]
    if category not in CATEGORIES:
        raise LoadError(f"unknown category '{category}'", file=where, key="category",
                        hint=f"one of {', '.join(CATEGORIES)}")
    type_, subtype = CATEGORIES[category]
    if type_ == "retrieval_filtering" and subtype is None:
        subtype = "content_filtering" if any(cue in raw["purpose"] for cue in FILTERING_CUES) \
            else "information_retrieval"
    return type_, subtype


def _role_of(raw: dict[str, str], where: str) -> str | None:
    if raw["list"] != "deep_synthesis":
        return None
    if raw["role"] not in ROLES:
        raise LoadError(f"unknown role '{raw['role']}'", file=where, key="role", hint="服务提供者 or 服务技术支持者")
    return ROLES[raw["role"]]


def normalise(raw: dict[str, str], row: int, where: str) -> Precedent:
    """One CSV row as a :class:`Precedent`; ``where`` (file:line) names it in errors."""
    if raw["list"] not in ("domestic", "deep_synthesis"):
        raise LoadError(f"unknown list '{raw['list']}'", file=where, key="list", hint="domestic or deep_synthesis")
    type_, subtype = _type_of(raw, where)
    return Precedent(
        row=row, list=raw["list"], batch=raw["batch"], name=raw["algorithm_name"], category=raw["category"],  # type: ignore[arg-type]
        type=type_, subtype=subtype, role=_role_of(raw, where), entity=raw["entity"],
        products_text=raw["products"], products=parse_products(raw["products"]), purpose=raw["purpose"],
        filing_number=raw["filing_number"], remark=raw["remark"], cancelled=CANCELLED in raw["remark"])


def _read(path: Path) -> Iterator[tuple[dict[str, str], str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"cannot read the filing list: {exc}", file=str(path)) from None
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise LoadError("unexpected columns", file=str(path), hint=f"the header must be {','.join(COLUMNS)}")
    for raw in reader:
        yield raw, f"{path}:{reader.line_num}"


def read_rows(directory: Path | None = None) -> list[Precedent]:
    """Every row of the lists, normalised, repeated filing numbers kept once (the role-bearing row)."""
    raws = [item for name in DATA_FILES for item in _read((directory or data_dir()) / name)]
    in_deep_synthesis = {raw["filing_number"] for raw, _ in raws if raw["list"] == "deep_synthesis"}
    kept = (item for item in raws
            if not (item[0]["list"] == "domestic" and item[0]["filing_number"] in in_deep_synthesis))
    return [normalise(raw, i, where) for i, (raw, where) in enumerate(kept)]


@cache
def shipped_rows() -> tuple[Precedent, ...]:
    """The shipped rows, read once per process."""
    return tuple(read_rows())


def by_label(rows: Iterable[Precedent]) -> dict[str, int]:
    """How many rows each benchmark class has."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.label] = counts.get(row.label, 0) + 1
    return counts
