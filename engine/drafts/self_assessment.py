"""算法安全自评估报告: one algorithm's self-assessment outline, by type and role.

The outline (一、算法情况 … 五、评估结论) follows the one public template found, which is for a
generative service provider; for other types and roles it is our reading, and the document says
so. Section 四 has one subsection per duty the assessment found for this algorithm, with its
article and what evidence to attach; section 三 weighs the user-rights risks of ARP Arts. 17-21
only for the user groups the answers name.
"""

from __future__ import annotations

from engine.drafts.catalogue import DocumentId
from engine.drafts.common import document, fact_cell, field_table, header_table, section
from engine.drafts.disclosure import mechanism, principle
from engine.drafts.facts import Facts, citation, duties_for, duty_title
from engine.drafts.model import Document, Paragraph, Section, Sentence
from engine.model.assessment import Algorithm

DOC: DocumentId = "self_assessment"


def _header(facts: Facts, algorithm: Algorithm) -> Section:
    table = header_table(facts, algorithm)
    extra = field_table(facts, [
        ("算法类型", "Type", fact_cell(facts, facts.algorithm_type(algorithm))),
        ("应用领域", "Application field", facts.prompt("field_unknown")),
        ("使用场景", "Scenarios", fact_cell(facts, facts.algorithm_products(algorithm))),
        ("上线情况", "Launch", fact_cell(facts, facts.first_launch(algorithm))),
        ("自评估时间", "Assessed on", facts.prompt("assessed_on")),
    ])
    return Section(heading=facts.t(facts.catalogue.heading(DOC, "header")), level=1,
                   blocks=(table, extra))


def _data(facts: Facts, algorithm: Algorithm) -> list[Sentence]:
    out = []
    for at in facts.features_of(algorithm):
        for behaviour in at.feature.behaviours:
            io = facts.behaviour_io(at, behaviour) if behaviour in algorithm.behaviours else None
            if io is not None:
                out.append(facts.say("“{feature}”的输入数据：{input}。", "Input of “{feature}”: {input}.",
                                     feature=facts.feature_name(at), input=io[0]))
    modality = facts.output_modalities(algorithm)
    if modality is not None:
        out.append(facts.say("输出模态：{modality}。", "Output modality: {modality}.", modality=modality))
    return [*out, facts.prompt("data_sources")]


def _model(facts: Facts, algorithm: Algorithm) -> list[Sentence]:
    out = []
    for at in facts.features_of(algorithm):
        source = facts.model_source(at)
        if source is not None:
            out.append(facts.say("“{feature}”的模型来源：{source}。", "Model of “{feature}”: {source}.",
                                 feature=facts.feature_name(at), source=source))
    if algorithm.type == "generation_synthesis":
        out.append(facts.prompt("model_name"))
    return [*out, facts.prompt("model_detail")]


def _labelling(facts: Facts, algorithm: Algorithm) -> list[Sentence]:
    labelling = [d for d in duties_for(facts.assessment, algorithm) if d.id.startswith(("lbl_", "dsp_16", "dsp_17"))]
    if not labelling:
        return [facts.prompt("labelling_none")]
    out = [facts.say("{duty}（{basis}）", "{duty} ({basis})", duty=duty_title(facts, d), basis=citation(facts, d))
           for d in labelling]
    return [*out, facts.prompt("control_evidence")]


def _service(facts: Facts, algorithm: Algorithm) -> list[Sentence]:
    out = [facts.say("本算法以{role}身份提供，备案状态评估为：{status}。",
                     "Offered as {role}; filing assessed as: {status}.",
                     role=facts.algorithm_role(algorithm), status=facts.algorithm_status(algorithm))]
    for ref in algorithm.products:
        out.append(facts.say("{product}：{forms}，服务对象为{audience}。", "{product}: {forms}, serving {audience}.",
                             product=facts.product_name(ref.index), forms=facts.forms(ref.index),
                             audience=facts.audience(ref.index)))
        users = facts.monthly_users(ref.index)
        if users is not None:
            out.append(facts.say("{product}月活跃用户数：{users}。", "{product} monthly active users: {users}.",
                                 product=facts.product_name(ref.index), users=users))
    return [*out, facts.prompt("service_scale")]


def _risks(facts: Facts, algorithm: Algorithm) -> list[Section]:
    named = {g for ref in algorithm.products for g in facts.product(ref.index).user_groups}
    out = []
    for risk in facts.catalogue.documents.risks:
        if risk.when is not None and risk.when not in named:
            continue
        sentences: list[Sentence] = []
        if risk.when is not None:
            groups = [facts.user_groups(ref.index) for ref in algorithm.products]
            sentences += [facts.say("用户群体：{groups}。", "User groups: {groups}.", groups=g)
                          for g in groups if g is not None]
        sentences.append(facts.prompt("risk_assessment"))
        out.append(Section(heading=facts.t(risk.heading), level=2,
                           blocks=tuple(Paragraph(sentences=(s,)) for s in sentences)))
    return out


def _controls(facts: Facts, algorithm: Algorithm) -> list[Section]:
    out = []
    for number, duty in enumerate(duties_for(facts.assessment, algorithm), start=1):
        basis = citation(facts, duty)
        heading = f"（{number}）{basis.value}" if facts.lang == "zh" else f"({number}) {basis.value}"
        sentences = [facts.say("{duty}", "{duty}", duty=duty_title(facts, duty)), facts.prompt("control_evidence")]
        out.append(Section(heading=heading, level=2, blocks=tuple(Paragraph(sentences=(s,)) for s in sentences)))
    return out


def self_assessment(facts: Facts, algorithm: Algorithm) -> Document:
    sub = [
        section(facts, DOC, "flow", mechanism(facts, algorithm), level=2),
        section(facts, DOC, "data", _data(facts, algorithm), level=2),
        section(facts, DOC, "model", _model(facts, algorithm), level=2),
        section(facts, DOC, "intervention", [facts.prompt("intervention_detail")], level=2),
        section(facts, DOC, "labelling", _labelling(facts, algorithm), level=2),
    ]
    conclusion = [facts.say("依据本工具的评估，{name}的备案状态为：{status}。",
                            "By this assessment, the filing status of {name} is: {status}.",
                            name=facts.algorithm_name(algorithm), status=facts.algorithm_status(algorithm)),
                  facts.prompt("conclusion")]
    sections = [
        _header(facts, algorithm),
        section(facts, DOC, "algorithm", principle(facts, algorithm)[:1]), *sub,
        section(facts, DOC, "service", _service(facts, algorithm)),
        section(facts, DOC, "risks", []), *_risks(facts, algorithm),
        section(facts, DOC, "controls", []), *_controls(facts, algorithm),
        section(facts, DOC, "conclusion", conclusion),
    ]
    return document(facts, DOC, facts.algorithm_name(algorithm), sections)
