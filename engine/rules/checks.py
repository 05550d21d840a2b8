"""The cross-checks of a rulebook: rule conditions against the fact schema, ids against the
catalogues and the vocabulary. Each failure names the file, the key path and a did-you-mean.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import RulebookError
from engine.model.conditions import NUMBER_OPERATORS, Condition, shape_problems, split_test
from engine.model.suggest import did_you_mean
from engine.model.vocabulary import Vocabulary
from engine.rules.basis import Basis, Law

if TYPE_CHECKING:
    from engine.rules.catalogue import NamingFile
    from engine.rules.rulebook import Rule
from engine.rules.facts import (
    DERIVED_FROM,
    FACT_SCHEMA,
    INT,
    TEXT,
    AttrSpec,
)


def check_attr_value(spec: AttrSpec, value: Any, where: str, path: Path, attr: str) -> None:
    if spec == INT:
        if not isinstance(value, int) or isinstance(value, bool):
            raise RulebookError(f"'{attr}' is a number; got {value!r}", file=str(path), key=where)
        return
    if spec == TEXT:
        raise RulebookError(f"'{attr}' is free text and cannot be tested by a rule",
                            file=str(path), key=where, hint="test an id attribute instead")
    if not isinstance(value, str) or value not in spec:
        raise RulebookError(f"unknown value {value!r} for '{attr}'; {did_you_mean(str(value), spec)}",
                            file=str(path), key=where)


def check_condition(cond: Condition, kind: str, where: str, path: Path) -> None:
    """Rule-side checks of a condition whose shape the model already checked: known attributes
    of the fact, values of their vocabulary, numbers only compared with numbers."""
    for key, message in shape_problems(cond):
        raise RulebookError(message, file=str(path), key=f"{where}.{key}".rstrip("."))
    schema = FACT_SCHEMA[kind]
    for attr, test in cond.tests.items():
        key = f"{where}.{attr}"
        if attr not in schema:
            raise RulebookError(f"fact '{kind}' has no attribute '{attr}'; {did_you_mean(attr, schema)}",
                                file=str(path), key=key)
        spec = schema[attr]
        op, operand = split_test(test)
        if op == "only":
            raise RulebookError("'only' tests a multi-select answer; a fact attribute holds one value",
                                file=str(path), key=f"{key}.only", hint="write {in: [...]}")
        if op in ("in", "not_in"):
            for i, value in enumerate(operand):
                check_attr_value(spec, value, f"{key}.{op}[{i}]", path, attr)
        elif op in NUMBER_OPERATORS:
            if spec != INT:
                raise RulebookError(f"'{op}' compares numbers; '{attr}' is not a number",
                                    file=str(path), key=f"{key}.{op}")
            check_attr_value(spec, operand, f"{key}.{op}", path, attr)
        else:
            check_attr_value(spec, operand, key if op == "equals" else f"{key}.{op}", path, attr)
    if cond.none is not None:
        raise RulebookError("'none' is not available in rules (the engine cannot negate a group)",
                            file=str(path), key=f"{where}.none", hint="negate each test: {not: v} or {not_in: [...]}")
    for group_name, group in cond.groups():
        for i, sub in enumerate(group):
            if sub.fact is not None:
                raise RulebookError("`fact` belongs at the top of `when` only",
                                    file=str(path), key=f"{where}.{group_name}[{i}].fact")
            check_condition(sub, kind, f"{where}.{group_name}[{i}]", path)


def check_id(value: str, known: dict[str, Any], what: str, key: str, path: Path) -> None:
    if value not in known:
        raise RulebookError(f"unknown {what} id '{value}'; {did_you_mean(value, known)}", file=str(path), key=key)


def check_basis(basis: list[Basis], laws: dict[str, Law], prefix: str, path: Path, field: str = "basis") -> None:
    """Every law a basis cites is in the laws catalogue (``prefix`` and ``field`` locate the basis
    in its file: a ``basis``, or the ``reference`` of a dated value)."""
    for j, ref in enumerate(basis):
        check_id(ref.law, laws, "law", f"{prefix}{field}[{j}].law", path)


def check_naming(naming: NamingFile, vocab: Vocabulary, path: Path) -> None:
    """Every role has a suffix, every type and sub-type a scene word, every key is a known id,
    and no scene word is blank (a blank would make a name like "某某算法")."""
    roles = dict.fromkeys(vocab.ids("role"))
    for role in naming.role_suffix:
        check_id(role, roles, "role", f"role_suffix.{role}", path)
    for role in roles:
        if role not in naming.role_suffix:
            raise RulebookError(f"no suffix for the role '{role}'; give one (it may be empty)",
                                file=str(path), key=f"role_suffix.{role}")
    types = dict.fromkeys([*vocab.ids("algorithm_type"), *vocab.ids("algorithm_subtype")])
    behaviours = dict.fromkeys(vocab.ids("behaviour"))
    for field, known, what in (("scene_by_type", types, "type"), ("scene_by_behaviour", behaviours, "behaviour")):
        for key, scene in getattr(naming, field).items():
            check_id(key, known, what, f"{field}.{key}", path)
            for lang in ("zh", "en"):
                if not scene.get(lang).strip():
                    raise RulebookError("blank scene word", file=str(path), key=f"{field}.{key}.{lang}",
                                        hint="give the word filers use before 算法, e.g. 个性化推荐")
    for type_ in types:
        if type_ not in naming.scene_by_type:
            raise RulebookError(f"no scene word for the type '{type_}'", file=str(path),
                                key=f"scene_by_type.{type_}", hint="e.g. {zh: 排序精选, en: ranking and selection}")


def check_ids(ids: list[str] | None, known: dict[str, Any], what: str, key: str, path: Path) -> None:
    for i, value in enumerate(ids or []):
        check_id(value, known, what, f"{key}[{i}]", path)


def check_rule(rule: Rule, index: int, path: Path, book: dict[str, Any], vocab: Vocabulary) -> None:
    """One rule against the fact schema, the catalogues and the vocabulary (first problem raised)."""
    where = f"rules[{index}]"
    kind = rule.when.fact or ""
    if kind not in FACT_SCHEMA:
        raise RulebookError(f"unknown fact kind '{kind}'; {did_you_mean(kind, FACT_SCHEMA)}",
                            file=str(path), key=f"{where}.when.fact")
    check_condition(rule.when, kind, f"{where}.when", path)
    check_basis(rule.basis, book["laws"], f"{where}.", path)
    then = rule.then
    key = f"{where}.then"
    if then.classify is not None:
        _check_classify(then.classify, kind, key, path, vocab)
    if then.filing is not None:
        _check_filing(then.filing, kind, key, path, vocab)
    if then.genai_route is not None and (problem := vocab.check_id("genai_route", then.genai_route)):
        raise RulebookError(problem, file=str(path), key=f"{key}.genai_route")
    _check_catalogue_ids(rule, key, path, book)


def _check_classify(classify: dict[str, str], kind: str, key: str, path: Path, vocab: Vocabulary) -> None:
    """``classify`` on a behaviour fact: a known type, and a subtype exactly where the type has them."""
    if kind != DERIVED_FROM["algorithm"]:
        raise RulebookError("`classify` applies to `behaviour` facts only", file=str(path),
                            key=f"{key}.classify")
    extra = set(classify) - {"type", "subtype"}
    if extra or "type" not in classify:
        raise RulebookError("`classify` takes `type` and optionally `subtype`", file=str(path),
                            key=f"{key}.classify")
    if (problem := vocab.check_id("algorithm_type", classify["type"])):
        raise RulebookError(problem, file=str(path), key=f"{key}.classify.type")
    subtype = classify.get("subtype")
    own = vocab.subtypes.get(classify["type"], [])
    if subtype is not None:
        if (problem := vocab.check_id("algorithm_subtype", subtype)):
            raise RulebookError(problem, file=str(path), key=f"{key}.classify.subtype")
        if subtype not in own:
            owner = next((t for t, subs in vocab.subtypes.items() if subtype in subs), None)
            raise RulebookError(f"{subtype} is a sub-type of {owner or 'no type'}, not of {classify['type']} "
                                "(vocabulary.yaml, subtypes)", file=str(path), key=f"{key}.classify.subtype")
    elif own:
        raise RulebookError(f"{classify['type']} needs a subtype ({' or '.join(own)}; vocabulary.yaml, subtypes)",
                            file=str(path), key=f"{key}.classify")


def _check_filing(filing: dict[str, str], kind: str, key: str, path: Path, vocab: Vocabulary) -> None:
    """``filing``: a known status, and a role exactly where the rule concludes on an algorithm."""
    extra = set(filing) - {"status", "role"}
    if extra or "status" not in filing:
        raise RulebookError("`filing` takes `status` and optionally `role`", file=str(path),
                            key=f"{key}.filing")
    if (problem := vocab.check_id("applicability", filing["status"])):
        raise RulebookError(problem, file=str(path), key=f"{key}.filing.status")
    role = filing.get("role")
    if kind == DERIVED_FROM["filing"]:
        if role is None:
            raise RulebookError("a filing conclusion on an algorithm names its `role`",
                                file=str(path), key=f"{key}.filing")
        if (problem := vocab.check_id("role", role)):
            raise RulebookError(problem, file=str(path), key=f"{key}.filing.role")
    elif role is not None:
        raise RulebookError("only rules on `algorithm` facts conclude a role", file=str(path),
                            key=f"{key}.filing.role")


def _check_catalogue_ids(rule: Rule, key: str, path: Path, book: dict[str, Any]) -> None:
    """The duties, materials, steps and display ids a rule concludes exist; no duty fires before it applies."""
    then = rule.then
    check_ids(then.obligations, book["obligations"], "obligation", f"{key}.obligations", path)
    for i, oid in enumerate(then.obligations or []):
        in_force = book["obligations"][oid].valid_from
        if in_force and (rule.valid_from is None or rule.valid_from < in_force):
            raise RulebookError(f"obligation '{oid}' applies from {in_force}; the rule must not fire earlier",
                                file=str(path), key=f"{key}.obligations[{i}]",
                                hint=f"add `valid_from: {in_force}` to the rule")
    check_ids(then.materials, book["materials"], "material", f"{key}.materials", path)
    check_ids(then.steps, book["steps"], "step", f"{key}.steps", path)
    check_ids(then.display, {**book["display"], "product_forms": None}, "display",
              f"{key}.display", path)
