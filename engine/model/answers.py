"""The answers model: what a person says about an entity and its products.

Answers files are YAML or JSON. Every id is a stable id of ``rules/vocabulary.yaml``; every
answer that can be unknown may be ``unsure``, which the rules turn into ``needs_review`` and an
open question, never into "not required". Unknown keys are rejected with a did-you-mean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from engine.errors import AnswersError, LoadError
from engine.limits import (
    DEFAULT_LIMITS,
    EARLIEST_DATE,
    LATEST_DATE,
    Limits,
    check_document,
    date_in_range,
    is_count_problem,
)
from engine.model.base import StrictModel
from engine.model.contract import AnswerField, Scope, answer_contract
from engine.model.migrate import migrate_answers
from engine.model.suggest import did_you_mean
from engine.model.validation import describe
from engine.model.vocabulary import UNSURE, load_vocabulary
from engine.model.yamlio import read_data_file
from engine.sanitize import echo

_VOCAB = load_vocabulary()

Unsure = Literal["unsure"]

UNSURE_SCHEMA: dict[str, Any] = {"type": "string", "enum": [UNSURE]}
"""``unsure`` in JSON Schema: a one-value string enum rather than ``const``, which generated clients
(openapi-python-client, datamodel-code-generator) turn into a type they can read and send back."""


def _id_checker(group: str, *, unsure: bool = True) -> Callable[[str], str]:
    allowed = list(_VOCAB.ids(group)) + ([UNSURE] if unsure else [])

    def check(value: str) -> str:
        if value not in allowed:
            hint = did_you_mean(value, allowed) if len(value) <= 100 else did_you_mean("", allowed)
            raise PydanticCustomError(
                "unknown_id", "unknown {group} id '{value}'; {hint}",
                {"group": group, "value": echo(value), "hint": hint})
        return value

    return check


def _id_schema(group: str, *, unsure: bool = True) -> WithJsonSchema:
    allowed = list(_VOCAB.ids(group)) + ([UNSURE] if unsure else [])
    return WithJsonSchema({"type": "string", "enum": allowed, "description": f"a `{group}` id"})


def _unsure_to_list(value: Any) -> Any:
    """A whole list answered ``unsure`` is stored as ``["unsure"]``."""
    return [UNSURE] if value == UNSURE else value


def _tri_state(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("yes", "true"):
        return True
    if isinstance(value, str) and value.lower() in ("no", "false"):
        return False
    if value == UNSURE:
        return UNSURE
    raise PydanticCustomError("tri_state", "expected true, false or unsure, got '{value}'", {"value": echo(value)})


MAX_COUNT = 10**12
"""More users than this is no count of people (the world has under 10^10)."""


def _count_or_unsure(value: Any) -> int | str:
    if value == UNSURE:
        return UNSURE
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 13:
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    raise PydanticCustomError(
        "count", "expected a whole number of users in digits 0-9 (e.g. 120000, at most 10^12) or unsure, "
                 "got '{value}'", {"value": echo(value)})


def _plausible_date(value: dt.date | None) -> dt.date | None:
    """The one date range of :mod:`engine.limits` (README "Limits and safety")."""
    if value is not None and not date_in_range(value):
        raise PydanticCustomError(
            "date_range", "{value} is out of range; give a date between {first} and {last}",
            {"value": value.isoformat(), "first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()})
    return value


Day = Annotated[dt.date, AfterValidator(_plausible_date)]


TriState = Annotated[
    bool | Unsure,
    PlainValidator(_tri_state),
    WithJsonSchema({"oneOf": [{"type": "boolean"}, UNSURE_SCHEMA]}),
]

UserCount = Annotated[
    int | Unsure,
    PlainValidator(_count_or_unsure),
    WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 0}, UNSURE_SCHEMA]}),
]

FormId = Annotated[str, AfterValidator(_id_checker("product_form")), _id_schema("product_form")]
AudienceId = Annotated[str, AfterValidator(_id_checker("audience")), _id_schema("audience")]
OpinionId = Annotated[str, AfterValidator(_id_checker("opinion_feature")), _id_schema("opinion_feature")]
UserGroupId = Annotated[str, AfterValidator(_id_checker("user_group")), _id_schema("user_group")]
BehaviourId = Annotated[str, AfterValidator(_id_checker("behaviour")), _id_schema("behaviour")]
LaunchStatusId = Annotated[str, AfterValidator(_id_checker("launch_status")), _id_schema("launch_status")]
ModelSourceId = Annotated[str, AfterValidator(_id_checker("model_source")), _id_schema("model_source")]

class _OrUnsure:
    """JSON Schema of a list that may be answered ``unsure`` as a whole: the list, or the bare string.

    The validator stores a bare ``unsure`` as ``["unsure"]``; the published schema says the bare
    form is allowed, so documents written that way (examples/unsure_answers.yaml) validate.
    """

    @staticmethod
    def __get_pydantic_json_schema__(core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"oneOf": [handler(core), UNSURE_SCHEMA]}


_UnsureList = BeforeValidator(_unsure_to_list)
_OR_UNSURE = _OrUnsure()


def _annotation(field: AnswerField) -> Any:
    """The type of a field declared only in the contract (``rules/answer_contract.yaml``)."""
    if field.kind in ("ids", "id"):
        group = field.vocabulary or ""
        one = Annotated[str, AfterValidator(_id_checker(group)), _id_schema(group)]
        return Annotated[list[one], _UnsureList, _OR_UNSURE] if field.kind == "ids" else one | None
    if field.kind == "yes_no":
        return TriState if field.absent == "no" else TriState | None
    typed: Any = {"text": str, "count": UserCount, "date": Day}[field.kind]
    return typed if field.required else typed | None


def _default(field: AnswerField) -> Any:
    """The stored default: what ``absent`` means, kept as the answers model stores it."""
    if field.required:
        return Field(min_length=1, description=field.description) if field.kind in ("ids", "text") \
            else Field(description=field.description)
    if field.kind == "ids":
        return Field(default_factory=list, description=field.description)
    if field.kind == "yes_no":
        return Field(default=False if field.absent == "no" else None, description=field.description)
    if field.kind == "id" and field.absent not in (None, "none"):
        return Field(default=field.absent, description=field.description)
    return Field(default=None, description=field.description)


def _contract_fields(namespace: dict[str, Any], scope: Scope) -> None:
    """Add to a model class being defined the contract's fields of ``scope`` it does not declare.

    The fields Python reads are declared in the class (their JSON Schema is published and stays
    as it is; tests/test_contract.py holds them to the contract); a field only the rules read is
    declared in the contract alone, and appears after them.
    """
    annotations: dict[str, Any] = namespace.setdefault("__annotations__", {})
    for field in answer_contract().of(scope):
        if field.answer not in annotations:
            annotations[field.answer] = _annotation(field)
            namespace[field.answer] = _default(field)


def _behaviours_or_description(schema: dict[str, Any]) -> None:
    """The schema of a feature: ``behaviours`` may be left out where a ``description`` is given."""
    schema["required"] = [key for key in schema.get("required", []) if key != "behaviours"]
    schema["anyOf"] = [{"required": ["behaviours"]}, {"required": ["description"]}]


class Feature(StrictModel):
    """One function of a product, described by what its algorithm does."""

    model_config = StrictModel.model_config | {"json_schema_extra": _behaviours_or_description}

    name: str = Field(min_length=1, description="The feature's name in the product, e.g. 首页推荐")
    description: str | None = Field(default=None, description="What it does, in the person's words; without "
                                                              "behaviours, the behaviours are suggested from it")
    behaviours: Annotated[list[BehaviourId], _UnsureList, _OR_UNSURE] = Field(
        description="What the feature's algorithm outputs (behaviour ids), or unsure; "
                    "[] when the feature uses none of these algorithms. May be left out when a description "
                    "is given: the behaviours are then suggested from it (behaviours_suggested)")
    behaviours_suggested: bool = Field(
        default=False,
        description="The behaviours were suggested from the description and nobody has confirmed them yet: the "
                    "assessment stays needs_review with the open question confirm_behaviours")
    model_source: ModelSourceId | None = Field(
        default=None, description="For generative behaviours: where the large model comes from, or "
                                  "not_large_model; large_model follows from it")
    offered_as_api: TriState = Field(
        default=False, description="Offered to other businesses as an API or SDK")
    large_model: TriState | None = Field(
        default=None,
        description="For generative behaviours: runs on a large generative model (decides the GenAI "
                    "备案/登记 route); follows from model_source when left out (own, fine_tuned, third_party_api: "
                    "yes; not_large_model: no); absent with no model_source = not answered, treated like unsure")
    biometric_output: TriState | None = Field(
        default=None,
        description="For generative behaviours: generates or edits a person's face, voice or other "
                    "biometric features; absent = not answered, treated like unsure")
    launch_date: Day | None = Field(
        default=None, description="When this feature launched or launches, if not with the product (a feature "
                                  "added later): its algorithm's duties are dated from it")
    _contract_fields(locals(), "feature")

    @model_validator(mode="before")
    @classmethod
    def _suggest_from_description(cls, data: Any) -> Any:
        """A feature with a description and no behaviours gets the behaviours its description suggests.

        They are marked ``behaviours_suggested``, which keeps the assessment at needs_review until
        a person confirms them (the rule ``confirm_suggested_behaviours``); nothing unconfirmed
        becomes a conclusion. With nothing suggested the behaviours are ``unsure``.
        """
        if isinstance(data, dict) and "behaviours" not in data and isinstance(data.get("description"), str) \
                and data["description"].strip():
            from engine.precedents.similar import suggest_behaviours

            data = {**data, "behaviours": suggest_behaviours(data["description"]) or [UNSURE],
                    "behaviours_suggested": True}
        return data

    @model_validator(mode="before")
    @classmethod
    def _large_model_from_source(cls, data: Any) -> Any:
        """``large_model`` follows from ``model_source`` when not given: one question asks both.

        A model source names a large model (own, fine-tuned, a filed model's API) or says it is
        none (``not_large_model``); ``unsure`` leaves ``large_model`` unanswered, and the rules ask
        the one open question ``model_source``. Files of answers schema 3.0 gave both, with
        ``model_source`` saying only whose model it is (an own speech model, not a large one:
        ``own`` and ``large_model: false``): a given ``large_model`` stands, unless it says a
        large model where ``model_source`` says there is none.
        """
        if not isinstance(data, dict) or not isinstance(data.get("model_source"), str):
            return data
        derived = {"own": True, "fine_tuned": True, "third_party_api": True,
                   "not_large_model": False}.get(data["model_source"])
        if derived is None:
            return data
        given = data.get("large_model")
        if given is None:
            return {**data, "large_model": derived}
        if given is True and derived is False:
            raise PydanticCustomError(
                "model_source_contradiction",
                "large_model: {given} contradicts model_source: {source}; leave large_model out, it follows "
                "from model_source", {"given": str(given).lower(), "source": data["model_source"]})
        return data


class Product(StrictModel):
    """One product (an app, a site, a mini-program, an API…) with its features."""

    name: str = Field(min_length=1)
    description: str | None = None
    forms: Annotated[list[FormId], _UnsureList, _OR_UNSURE] = Field(min_length=1)
    audience: Annotated[list[AudienceId], _UnsureList, _OR_UNSURE] = Field(min_length=1)
    opinion_features: Annotated[list[OpinionId], _UnsureList, _OR_UNSURE] = Field(
        default_factory=list,
        description="Forums, comments, sharing… (安全评估规定 Art. 2); empty means none")
    monthly_active_users: UserCount | None = None
    user_groups: Annotated[list[UserGroupId], _UnsureList, _OR_UNSURE] = Field(
        default_factory=list, description="Special user groups among the users; empty means none")
    news: TriState = Field(default=False, description="Carries news information (互联网新闻信息)")
    commercial: TriState | None = Field(
        default=None, description="A commercial (经营性) internet information service; absent = not said (ask does "
                                  "not ask it: the materials then name the ICP licence or the ICP filing); unsure = "
                                  "an open question besides")
    launch_status: LaunchStatusId = "launched"
    launch_date: Day | None = None
    change_date: Day | None = None
    termination_date: Day | None = None
    features: list[Feature] = Field(min_length=1)
    _contract_fields(locals(), "product")


class Entity(StrictModel):
    """The filing entity (主体)."""

    name: str = Field(min_length=1)
    credit_code: str | None = Field(default=None, description="统一社会信用代码")
    _contract_fields(locals(), "entity")


def _filing_number(value: str) -> str:
    """A 网信算备 number, checked and normalised with the decoder of ``algo-filing decode``."""
    from engine.model.filing_number import FilingNumberError, decode_filing_number

    try:
        return decode_filing_number(value).number
    except FilingNumberError as exc:
        raise PydanticCustomError("filing_number", "not a filing number: {message}",
                                  {"message": echo(exc.message)}) from None


class FiledAlgorithm(StrictModel):
    """An algorithm the entity has already filed (网信算备…号), and where it is used."""

    number: Annotated[str, AfterValidator(_filing_number)] = Field(
        description="The filing number, e.g. 网信算备110108823483902220017号 (decoded and checked)")
    name: str = Field(min_length=1, description="The filed algorithm's name, e.g. 某某个性化推荐算法")
    products: list[str] = Field(min_length=1, description="Names of the products (in these answers) it is linked to")
    features: list[str] = Field(
        default_factory=list, description="Names of the features it serves; empty: every feature of its type "
                                          "in those products")


class Answers(StrictModel):
    """Everything the assessment needs: one entity and its products."""

    as_of: Day | None = Field(
        default=None, description="Assess the rules in force on this date (default: the rules' date)")
    entity: Entity
    products: list[Product] = Field(min_length=1)
    filed_algorithms: list[FiledAlgorithm] = Field(
        default_factory=list,
        description="Algorithms already filed: they decide new vs change filing, the change and cancellation "
                    "duties, and which algorithms of the result are covered; empty: nothing filed yet")
    _contract_fields(locals(), "document")
    _migrated: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _filed_products_exist(self) -> Answers:
        """A filed algorithm names products of these answers (a typo would silently cover nothing)."""
        names = [p.name for p in self.products]
        for i, filed in enumerate(self.filed_algorithms):
            for j, name in enumerate(filed.products):
                if name not in names:
                    raise PydanticCustomError(
                        "unknown_product", "filed_algorithms[{i}].products[{j}]: no product named '{name}'; {hint}",
                        {"i": i, "j": j, "name": echo(name), "hint": did_you_mean(name, names)})
        return self

    @property
    def migrated(self) -> tuple[str, ...]:
        """What was mapped from schema 2.0 on load (``path: old -> new``); empty for a 3.0 document."""
        return self._migrated


def parse_answers(data: Any, *, source: str = "<answers>", limits: Limits = DEFAULT_LIMITS) -> Answers:
    """Validate an answers document (a dict, e.g. from YAML/JSON) into the model.

    The document is first held against ``limits`` (products, features, name lengths), so an
    oversized one is refused before any work is spent on it.
    """
    if isinstance(data, Answers):
        return data
    if not isinstance(data, dict):
        raise AnswersError([("(document)", "expected a mapping with `entity` and `products`")], file=source)
    if "schema_version" in data and "filing" in data:
        raise AnswersError([("(document)", "this is a saved assessment, not an answers document; give the answers "
                                           "file it was assessed from (the one with `entity` and `products`)")],
                           file=source)
    problems = check_document(data, limits)
    if any(is_count_problem(key) for key, _ in problems):
        raise AnswersError(problems, file=source)  # too many products or features: not worth validating
    data, notes = migrate_answers(data)
    try:
        answers = Answers.model_validate(data)
    except ValidationError as exc:  # a text over its limit must not hide the document's other problems
        raise AnswersError(problems + [describe(e, Answers) for e in exc.errors()], file=source) from None
    if problems:
        raise AnswersError(problems, file=source)
    answers._migrated = tuple(notes)
    return answers


def load_answers(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Answers:
    """Read and validate an answers file (``.yaml``, ``.yml`` or ``.json``; ``-``: standard input)."""
    path = Path(path)
    source = "<stdin>" if str(path) == "-" else str(path)
    try:
        raw = read_data_file(path, max_bytes=limits.file_bytes)
    except LoadError as exc:
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        raise AnswersError([("", message)], file=source) from None
    return parse_answers(raw, source=source, limits=limits)


def answers_json_schema() -> dict[str, Any]:
    """The published JSON Schema of an answers document."""
    return Answers.model_json_schema()
