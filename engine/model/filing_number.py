"""Decoding a published algorithm filing number (网信算备…号).

CAC does not document the number's layout. It is inferred from the published filing lists
(the domain reference ``shared/domain/classification.md`` §6, beside the repository; the
2022–2023 lists in ``shared/data``)::

    网信算备 + 6 region + 7 entity + 2 type + 2 year + 4 serial + 号     (21 digits)

    网信算备 110108 8234839 02 22 0017 号  = 北京海淀 · an entity · 个性化推送 · 2022 · serial

The lists also hold documented exceptions that must be accepted: type codes that do not match
the published category (two 2022-08 调度决策 rows with 05, a filter with 04; 检索过滤类 with 04 or
05 until 2023-12) and one number printed with an extra digit (美团配送调度决策算法). A number with
exactly one digit too many is decoded where the parts are unambiguous and says which digit is
unexplained. Anything else is refused with a message saying what was expected.

The type codes (with the vocabulary ids they stand for and the lists' exceptions), the first
year and the known irregular numbers are data, ``rules/catalogue/filing_numbers.yaml``: a new
type code is a line there, checked against vocabulary.yaml when it is loaded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from engine.errors import EngineError, RulebookError
from engine.model.assessment import AlgorithmType, Subtype
from engine.model.base import StrictModel, Text
from engine.model.validation import validate_file
from engine.model.vocabulary import Vocabulary, load_vocabulary, rules_dir
from engine.model.yamlio import read_data_file
from engine.sanitize import echo

PREFIX = "网信算备"
SUFFIX = "号"
DIGITS = 21
LAYOUT_FILE = "filing_numbers.yaml"
"""The type codes, first year and known irregular numbers, in the rules directory's catalogue/."""


class FilingNumberError(EngineError):
    """A text that is not a 网信算备 filing number of the published layout."""

    def __init__(self, number: str, message: str, hint: str) -> None:
        """The number is quoted clipped (a 120,000-digit argument is echoed in 200 characters)."""
        self.number = number
        super().__init__(message, key=f"NUMBER '{echo(number)}'", hint=hint)


class TypeCode(StrictModel):
    """The two-digit type code and the algorithm type it stands for in the published lists."""

    code: str
    type: AlgorithmType
    subtype: Subtype | None
    label: Text = Field(description="The type label (the sub-type's where there is one)")


class Region(StrictModel):
    """The region code's province-level part (first two digits of the division code)."""

    code: str
    name: Text | None = Field(description="Null when the two digits are not a province-level code")


class FilingNumber(StrictModel):
    """A filing number split into its parts (layout inferred from the published lists)."""

    number: str = Field(description="The number as normalised: 网信算备 + digits + 号")
    region_code: str = Field(description="6 digits: county-level administrative-division code of the entity")
    province: Region
    entity_code: str = Field(description="7 digits: stable across an entity's filings; derivation unknown")
    type: TypeCode
    year: int = Field(description="The filing year (4 digits); kept when the algorithm is re-listed")
    serial: str = Field(description="4 digits; always ends in an odd digit in the lists (possibly a check digit)")
    layout: Literal["standard", "irregular"] = Field(
        description="standard: 21 digits; irregular: one digit more, as printed in a published list")
    notes: list[Text] = Field(description="What to know about this number's reading")
    source: Text = Field(description="Where the layout comes from")

    def to_json(self) -> str:
        """Canonical JSON: UTF-8 text, two-space indent, keys in model order."""
        return self.model_dump_json(indent=2) + "\n"


# Province-level division codes (GB/T 2260, first two digits), to name the region's province.
_PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京市", "Beijing"), "12": ("天津市", "Tianjin"), "13": ("河北省", "Hebei"),
    "14": ("山西省", "Shanxi"), "15": ("内蒙古自治区", "Inner Mongolia"), "21": ("辽宁省", "Liaoning"),
    "22": ("吉林省", "Jilin"), "23": ("黑龙江省", "Heilongjiang"), "31": ("上海市", "Shanghai"),
    "32": ("江苏省", "Jiangsu"), "33": ("浙江省", "Zhejiang"), "34": ("安徽省", "Anhui"),
    "35": ("福建省", "Fujian"), "36": ("江西省", "Jiangxi"), "37": ("山东省", "Shandong"),
    "41": ("河南省", "Henan"), "42": ("湖北省", "Hubei"), "43": ("湖南省", "Hunan"),
    "44": ("广东省", "Guangdong"), "45": ("广西壮族自治区", "Guangxi"), "46": ("海南省", "Hainan"),
    "50": ("重庆市", "Chongqing"), "51": ("四川省", "Sichuan"), "52": ("贵州省", "Guizhou"),
    "53": ("云南省", "Yunnan"), "54": ("西藏自治区", "Tibet"), "61": ("陕西省", "Shaanxi"),
    "62": ("甘肃省", "Gansu"), "63": ("青海省", "Qinghai"), "64": ("宁夏回族自治区", "Ningxia"),
    "65": ("新疆维吾尔自治区", "Xinjiang"), "71": ("台湾省", "Taiwan"), "81": ("香港特别行政区", "Hong Kong"),
    "82": ("澳门特别行政区", "Macao"),
}

class _AlsoType(StrictModel):
    """Another algorithm type a code stood for in the published lists of some years."""

    type: str = Field(description="An algorithm_type id of vocabulary.yaml")
    years: list[int] = Field(min_length=1, description="The filing years (4 digits) whose numbers may stand for it")


class _TypeCodeSpec(StrictModel):
    """One type code of ``filing_numbers.yaml``: the vocabulary ids it stands for, and the lists' exceptions."""

    type: str = Field(description="An algorithm_type id of vocabulary.yaml")
    subtype: str | None = Field(default=None, description="An algorithm_subtype id, where the code stands for one")
    note: Text | None = Field(default=None, description="What a decoded number of this code carries as a note")
    also: list[_AlsoType] = Field(default_factory=list, description="Other types the code stood for in some years")


class _LayoutFile(StrictModel):
    """``rules/catalogue/filing_numbers.yaml``: the layout inferred from the published lists."""

    first_year: int = Field(ge=0, le=99, description="Two-digit year the filing system opened; earlier is refused")
    source: Text
    type_codes: dict[str, _TypeCodeSpec] = Field(min_length=1)
    known_irregular: dict[str, Text] = Field(default_factory=dict)


@dataclass(frozen=True)
class NumberLayout:
    """The filing-number layout of one rules directory, its type codes labelled from its vocabulary."""

    first_year: int
    source: Text
    types: dict[str, TypeCode]
    notes: dict[str, Text]
    known_irregular: dict[str, Text]
    also: dict[str, dict[int, frozenset[str]]] = field(default_factory=dict)
    """Per type code, per filing year, the other algorithm types its numbers may stand for."""


def load_number_layout(directory: Path | None = None) -> NumberLayout:
    """The layout of ``directory`` (the shipped rules by default), every type code checked against
    its vocabulary: a wrong id is a :class:`RulebookError` naming the file, the key and the fix."""
    directory = directory or rules_dir()
    path = directory / "catalogue" / LAYOUT_FILE
    spec = validate_file(_LayoutFile, read_data_file(path), file=str(path), error=RulebookError)
    vocab = load_vocabulary(directory) if (directory / "vocabulary.yaml").exists() else load_vocabulary()
    types = {code: _type_code(code, entry, vocab, path) for code, entry in spec.type_codes.items()}
    return NumberLayout(first_year=spec.first_year, source=spec.source, types=types,
                        notes={c: e.note for c, e in spec.type_codes.items() if e.note is not None},
                        known_irregular=spec.known_irregular,
                        also={c: _also(c, e, vocab, path) for c, e in spec.type_codes.items() if e.also})


def _also(code: str, entry: _TypeCodeSpec, vocab: Vocabulary, path: Path) -> dict[int, frozenset[str]]:
    """The other types a code stood for, by filing year, each checked against ``vocab``."""
    found: dict[int, set[str]] = {}
    for i, also in enumerate(entry.also):
        if (problem := vocab.check_id("algorithm_type", also.type)):
            raise RulebookError(problem, file=str(path), key=f"type_codes.{code}.also[{i}].type")
        for year in also.years:
            found.setdefault(year, set()).add(also.type)
    return {year: frozenset(types) for year, types in found.items()}


def number_types(number: FilingNumber, *, layout: NumberLayout | None = None) -> frozenset[str]:
    """The algorithm types a decoded number may stand for: its code's, and those the code stood
    for in the lists of its year (``also`` of ``filing_numbers.yaml``: 05 in 2022 numbered
    调度决策 algorithms too)."""
    layout = layout or _shipped_layout()
    return frozenset({number.type.type}) | layout.also.get(number.type.code, {}).get(number.year, frozenset())


def _type_code(code: str, entry: _TypeCodeSpec, vocab: Vocabulary, path: Path) -> TypeCode:
    """A type code of the file as a decoded number shows it, its ids checked against ``vocab``."""
    if not re.fullmatch(r"[0-9]{2}", code):
        raise RulebookError(f"type code '{code}' is not two digits", file=str(path), key=f"type_codes.{code}")
    for group, value, key in (("algorithm_type", entry.type, "type"),
                              ("algorithm_subtype", entry.subtype, "subtype")):
        if value is not None and (problem := vocab.check_id(group, value)):
            raise RulebookError(problem, file=str(path), key=f"type_codes.{code}.{key}")
    label = (vocab.groups["algorithm_subtype"][entry.subtype] if entry.subtype
             else vocab.groups["algorithm_type"][entry.type])
    return TypeCode.model_validate({"code": code, "type": entry.type, "subtype": entry.subtype, "label": label})


@cache
def _shipped_layout() -> NumberLayout:
    return load_number_layout()


def _normalise(text: str) -> str:
    """Full-width digits to ASCII, and spaces and separator dots removed."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s·.\-_]", "", text)


def _refuse(number: str, message: str) -> FilingNumberError:
    return FilingNumberError(
        number, message,
        hint=f"a filing number looks like 网信算备110108823483902220017号: {PREFIX}, {DIGITS} digits, {SUFFIX}")


def _digits_of(raw: str) -> str:
    if re.fullmatch(r"[A-Za-z]+-[^-\s]+-\d{8}(\d{4}|S\d{4})?", unicodedata.normalize("NFKC", raw).strip()):
        raise FilingNumberError(
            raw, "this is a generative-AI service filing or registration number, not a 网信算备 filing number",
            hint="numbers like Beijing-WenXinYiYan-20230821 are a separate numbering with no type or entity code")
    text = _normalise(raw)
    if not text:
        raise _refuse(raw, "no filing number given")
    body = text.removeprefix(PREFIX).removesuffix(SUFFIX)
    if not body.isdigit() or not body.isascii():
        bad = sorted({c for c in body if not (c.isascii() and c.isdigit())})
        raise _refuse(raw, f"unexpected characters {''.join(bad)!r}; only digits belong between {PREFIX} and {SUFFIX}")
    return body


def decode_filing_number(text: str, *, layout: NumberLayout | None = None) -> FilingNumber:
    """Split a 网信算备 number into region, entity, type, year and serial.

    Accepts the number with or without 网信算备 and 号, with spaces or dots between the parts and
    full-width digits. Raises :class:`FilingNumberError` for anything that does not fit. The type
    codes, the first year and the known irregular numbers are data (``layout``, by default the
    shipped ``rules/catalogue/filing_numbers.yaml``).
    """
    layout = layout or _shipped_layout()
    digits = _digits_of(text)
    notes: list[Text] = []
    if len(digits) == DIGITS:
        number_layout: Literal["standard", "irregular"] = "standard"
        region, entity, code, year, serial = digits[:6], digits[6:13], digits[13:15], digits[15:17], digits[17:]
    elif len(digits) == DIGITS + 1:
        number_layout = "irregular"
        region, entity, code = digits[:6], digits[6:13], digits[13:15]
        extra, year, serial = digits[15], digits[16:18], digits[18:]
        notes.append(layout.known_irregular.get(digits, Text(
            zh=f"比标准结构多一位数字：类型码取左起第14–15位，年份和序号取末6位，第16位“{extra}”无法解释。",
            en=f"One digit more than the layout: the type is read from the left (digits 14–15), year and serial "
               f"from the right (last 6 digits); digit 16 ('{extra}') is unexplained.")))
    else:
        raise _refuse(text, f"expected {DIGITS} digits (6 region + 7 entity + 2 type + 2 year + 4 serial), "
                            f"got {len(digits)}")
    if code not in layout.types:
        raise _refuse(text, f"type code '{code}' (digits 14–15) is not one of {', '.join(layout.types)}")
    if int(year) < layout.first_year:
        raise _refuse(text, f"year '{year}' (digits 16–17) is before 20{layout.first_year:02d}, "
                            "when algorithm filing began")
    if code in layout.notes:
        notes.append(layout.notes[code])
    if int(serial[-1]) % 2 == 0:
        notes.append(Text(zh="序号末位为偶数；已公布清单中的序号末位均为奇数，请核对编号。",
                          en="The serial ends in an even digit; every published serial ends in an odd one: check "
                             "the number."))
    province = _PROVINCES.get(region[:2])
    if province is None:
        notes.append(Text(zh=f"地区码前两位“{region[:2]}”不是省级行政区划代码。",
                          en=f"The region code's first two digits ('{region[:2]}') are not a province-level code."))
    return FilingNumber(
        number=f"{PREFIX}{digits}{SUFFIX}", region_code=region,
        province=Region(code=region[:2], name=Text(zh=province[0], en=province[1]) if province else None),
        entity_code=entity,
        type=layout.types[code],
        year=2000 + int(year), serial=serial, layout=number_layout, notes=notes, source=layout.source)
