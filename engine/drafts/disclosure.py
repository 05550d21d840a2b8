"""拟公示内容: the four published sections of one algorithm, from the answers' facts.

算法基本原理 (what it takes in and gives out, by the behaviours answered), 算法运行机制 (how the
features use it, and the type's mechanism questions only the filer can answer), 算法应用场景
(products, forms, audience, features, launch), 算法目的意图 (what it gives the products' users).
"""

from __future__ import annotations

from engine.drafts.catalogue import DocumentId
from engine.drafts.common import document, header_table, section
from engine.drafts.facts import Facts
from engine.drafts.model import Document, Section, Sentence
from engine.model.assessment import Algorithm

DOC: DocumentId = "public_disclosure"


def principle(facts: Facts, algorithm: Algorithm) -> list[Sentence]:
    out = [facts.say("{name}属于{type}算法。", "{name} is a {type} algorithm.",
                     name=facts.algorithm_name(algorithm), type=facts.algorithm_type(algorithm))]
    for at in facts.features_of(algorithm):
        for behaviour in at.feature.behaviours:
            if behaviour not in algorithm.behaviours:
                continue
            io = facts.behaviour_io(at, behaviour)
            if io is not None:
                out.append(facts.say("在“{feature}”中，算法以{input}为输入，输出{output}。",
                                     "In “{feature}”, it takes {input} and gives {output}.",
                                     feature=facts.feature_name(at), input=io[0], output=io[1]))
        source = facts.model_source(at)
        if source is not None:
            out.append(facts.say("“{feature}”所用模型为{source}。", "“{feature}” runs on: {source}.",
                                 feature=facts.feature_name(at), source=source))
    out.append(facts.prompt("principle_method"))
    return out


def mechanism(facts: Facts, algorithm: Algorithm) -> list[Sentence]:
    out: list[Sentence] = []
    for at in facts.features_of(algorithm):
        described = facts.feature_description(at)
        if described is not None:
            out.append(facts.say("{product}的“{feature}”功能：{description}。",
                                 "{product}'s “{feature}”: {description}.",
                                 product=facts.product_name(at.product), feature=facts.feature_name(at),
                                 description=described))
    out.append(facts.prompt("mechanism_steps"))
    out += [facts.prompt_text(text) for text in facts.catalogue.documents.type_mechanisms.get(algorithm.type, [])]
    return out


def scenarios(facts: Facts, algorithm: Algorithm) -> list[Sentence]:
    out: list[Sentence] = []
    for ref in algorithm.products:
        features = [at for at in facts.features_of(algorithm) if at.product == ref.index]
        out.append(facts.say("应用于{product}（{forms}），服务对象为{audience}。",
                             "Used in {product} ({forms}), serving {audience}.",
                             product=facts.product_name(ref.index), forms=facts.forms(ref.index),
                             audience=facts.audience(ref.index)))
        for at in features:
            out.append(facts.say("对应功能：{product} >“{feature}”。", "Function: {product} > “{feature}”.",
                                 product=facts.product_name(ref.index), feature=facts.feature_name(at)))
        groups = facts.user_groups(ref.index)
        if groups is not None:
            out.append(facts.say("{product}的用户包括{groups}。", "{product}'s users include {groups}.",
                                 product=facts.product_name(ref.index), groups=groups))
        launched = facts.launch_date(ref.index)
        if launched is not None:
            out.append(facts.say("{product}服务状态：{status}，上线日期{date}。",
                                 "{product}: {status}, launched {date}.", product=facts.product_name(ref.index),
                                 status=facts.launch_status(ref.index), date=launched))
    return out


def purpose(facts: Facts, algorithm: Algorithm) -> list[Sentence]:
    out: list[Sentence] = []
    for at in facts.features_of(algorithm):
        for behaviour in at.feature.behaviours:
            io = facts.behaviour_io(at, behaviour) if behaviour in algorithm.behaviours else None
            if io is not None:
                out.append(facts.say("为{product}用户在“{feature}”中提供{output}。",
                                     "Gives {product}'s users {output} in “{feature}”.",
                                     product=facts.product_name(at.product), feature=facts.feature_name(at),
                                     output=io[1]))
    out.append(facts.prompt("purpose_goal"))
    return out


def public_disclosure(facts: Facts, algorithm: Algorithm) -> Document:
    sections: list[Section] = [
        section(facts, DOC, "principle", principle(facts, algorithm)),
        section(facts, DOC, "mechanism", mechanism(facts, algorithm)),
        section(facts, DOC, "scenarios", scenarios(facts, algorithm)),
        section(facts, DOC, "purpose", purpose(facts, algorithm)),
    ]
    head = Section(heading=facts.t(facts.catalogue.heading(DOC, "header")), level=1,
                   blocks=(header_table(facts, algorithm),))
    return document(facts, DOC, facts.algorithm_name(algorithm), [head, *sections])
