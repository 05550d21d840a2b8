"""The facts a draft may state, each with its path: answers and assessment seen from one algorithm.

A composer never formats an answer itself: it asks this view for a :class:`~engine.drafts.model.FactRef`
(path + value as displayed in the draft's language) and puts it in a sentence, so the same fact is
written the same way everywhere and the consistency check can compare it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.drafts.catalogue import DraftingCatalogue
from engine.drafts.model import FactRef, Sentence
from engine.model.answers import Answers, Feature, Product
from engine.model.assessment import Algorithm, AlgorithmRef, Assessment, EntityTarget, ObligationOut, ProductRef
from engine.model.base import Lang, Text
from engine.model.vocabulary import UNSURE, load_vocabulary

_LIST_SEP = {"zh": "、", "en": ", "}


@dataclass(frozen=True)
class FeatureAt:
    """A feature of the answers with its position (paths are built from positions, never names)."""

    product: int
    index: int
    feature: Feature

    @property
    def path(self) -> str:
        return f"products[{self.product}].features[{self.index}]"


class Facts:
    """Answers and assessment as facts with paths, in one language."""

    def __init__(self, answers: Answers, assessment: Assessment, catalogue: DraftingCatalogue, lang: Lang) -> None:
        self.answers = answers
        self.assessment = assessment
        self.catalogue = catalogue
        self.lang = lang
        self.vocab = load_vocabulary()

    # -- phrasing helpers
    def t(self, text: Text) -> str:
        return text.get(self.lang)

    def join(self, values: Iterable[str]) -> str:
        return _LIST_SEP[self.lang].join(values)

    def labels(self, group: str, ids: Iterable[str]) -> str:
        return self.join(self.vocab.label(group, i, self.lang) for i in ids if i != UNSURE) or (
            "不确定" if self.lang == "zh" else "unsure")

    def say(self, zh: str, en: str, **facts: FactRef) -> Sentence:
        """A sentence from a zh/en pattern whose ``{name}`` fields are filled with facts."""
        pattern = zh if self.lang == "zh" else en
        return Sentence(text=pattern.format(**{k: f.value for k, f in facts.items()}), facts=tuple(facts.values()))

    def prompt(self, key: str) -> Sentence:
        return Sentence(text=self.t(self.catalogue.prompt(key)), prompt=True)

    def prompt_text(self, text: Text) -> Sentence:
        return Sentence(text=self.t(text), prompt=True)

    # -- entity
    def entity_name(self) -> FactRef:
        return FactRef(path="entity.name", value=self.answers.entity.name)

    def credit_code(self) -> FactRef | None:
        code = self.answers.entity.credit_code
        return FactRef(path="entity.credit_code", value=code) if code else None

    # -- products
    def product(self, index: int) -> Product:
        return self.answers.products[index]

    def product_name(self, index: int) -> FactRef:
        return FactRef(path=f"products[{index}].name", value=self.product(index).name)

    def forms(self, index: int) -> FactRef:
        return FactRef(path=f"products[{index}].forms", value=self.labels("product_form", self.product(index).forms))

    def audience(self, index: int) -> FactRef:
        return FactRef(path=f"products[{index}].audience", value=self.labels("audience", self.product(index).audience))

    def user_groups(self, index: int) -> FactRef | None:
        groups = [g for g in self.product(index).user_groups if g != UNSURE]
        if not groups:
            return None
        return FactRef(path=f"products[{index}].user_groups", value=self.labels("user_group", groups))

    def launch_status(self, index: int) -> FactRef:
        return FactRef(path=f"products[{index}].launch_status",
                       value=self.vocab.label("launch_status", self.product(index).launch_status, self.lang))

    def launch_date(self, index: int) -> FactRef | None:
        day = self.product(index).launch_date
        return FactRef(path=f"products[{index}].launch_date", value=day.isoformat()) if day else None

    def monthly_users(self, index: int) -> FactRef | None:
        mau = self.product(index).monthly_active_users
        if not isinstance(mau, int):
            return None
        return FactRef(path=f"products[{index}].monthly_active_users", value=f"{mau:,}")

    # -- features
    def features_of(self, algorithm: Algorithm) -> list[FeatureAt]:
        """The features an algorithm covers, by their positions in the answers."""
        return [FeatureAt(ref.product, ref.index, self.product(ref.product).features[ref.index])
                for ref in algorithm.feature_refs]

    def feature_name(self, at: FeatureAt) -> FactRef:
        return FactRef(path=f"{at.path}.name", value=at.feature.name)

    def feature_description(self, at: FeatureAt) -> FactRef | None:
        text = (at.feature.description or "").strip()
        return FactRef(path=f"{at.path}.description", value=text) if text else None

    def model_source(self, at: FeatureAt) -> FactRef | None:
        source = at.feature.model_source
        if source is None or source == UNSURE:
            return None
        return FactRef(path=f"{at.path}.model_source", value=self.vocab.label("model_source", source, self.lang))

    def behaviour_io(self, at: FeatureAt, behaviour: str) -> tuple[FactRef, FactRef] | None:
        """What one answered behaviour takes in and gives out, or None where only the filer can say."""
        io = self.catalogue.behaviours[behaviour]
        if io.input is None or io.output is None:
            return None
        path = f"{at.path}.behaviours"
        return (FactRef(path=f"{path}:{behaviour}:input", value=self.t(io.input)),
                FactRef(path=f"{path}:{behaviour}:output", value=self.t(io.output)))

    # -- the algorithm, as the assessment concluded
    def algorithm_name(self, algorithm: Algorithm) -> FactRef:
        return FactRef(path=f"algorithms[{algorithm.id}].name", value=self.t(algorithm.name))

    def algorithm_type(self, algorithm: Algorithm) -> FactRef:
        label = self.t(algorithm.type_label)
        if algorithm.subtype_label is not None:
            label = f"{label}（{self.t(algorithm.subtype_label)}）" if self.lang == "zh" else \
                f"{label} ({self.t(algorithm.subtype_label)})"
        return FactRef(path=f"algorithms[{algorithm.id}].type", value=label)

    def algorithm_role(self, algorithm: Algorithm) -> FactRef:
        return FactRef(path=f"algorithms[{algorithm.id}].role", value=self.t(algorithm.role_label))

    def algorithm_status(self, algorithm: Algorithm) -> FactRef:
        return FactRef(path=f"algorithms[{algorithm.id}].status", value=self.t(algorithm.status_label))

    def algorithm_products(self, algorithm: Algorithm) -> FactRef:
        return FactRef(path=f"algorithms[{algorithm.id}].products",
                       value=self.join(self.product(p.index).name for p in algorithm.products))

    def output_modalities(self, algorithm: Algorithm) -> FactRef | None:
        words = {"text": ("文本", "text"), "image": ("图片", "image"), "audio": ("音频", "audio"),
                 "video": ("视频", "video"), "list": ("内容列表", "list of items"),
                 "decision": ("决策结果", "decision"), "label": ("标签", "labels")}
        kinds = dict.fromkeys(m for b in algorithm.behaviours
                              if (m := self.catalogue.behaviours[b].output_modality) is not None)
        if not kinds:
            return None
        value = self.join(words[k][0 if self.lang == "zh" else 1] for k in kinds)
        return FactRef(path=f"algorithms[{algorithm.id}].output_modality", value=value)

    def first_launch(self, algorithm: Algorithm) -> FactRef | None:
        """The earliest launch among the algorithm's features (a feature's own date, else its product's)."""
        dated = [(at.feature.launch_date or self.product(at.product).launch_date, at)
                 for at in self.features_of(algorithm)]
        known = [(day, at) for day, at in dated if day is not None]
        if not known:
            return None
        day, _ = min(known, key=lambda pair: pair[0])
        return FactRef(path=f"algorithms[{algorithm.id}].launch_date", value=day.isoformat())


def duties_for(assessment: Assessment, algorithm: Algorithm) -> list[ObligationOut]:
    """The duties of the assessment that bind this algorithm: its own, its products' and the entity's."""
    products = {p.index for p in algorithm.products}
    out = []
    for duty in assessment.obligations:
        for target in duty.applies_to:
            if (isinstance(target, AlgorithmRef) and target.id == algorithm.id) or \
                    (isinstance(target, ProductRef) and target.index in products) or \
                    isinstance(target, EntityTarget):
                out.append(duty)
                break
    return out


def citation(facts: Facts, duty: ObligationOut) -> FactRef:
    """A duty's legal references as the assessment renders them."""
    value = facts.join(facts.t(ref.citation) for ref in duty.basis)
    return FactRef(path=f"obligations[{duty.id}].basis", value=value)


def duty_title(facts: Facts, duty: ObligationOut) -> FactRef:
    return FactRef(path=f"obligations[{duty.id}].title", value=facts.t(duty.title))
