"""备案表单填报稿: every field of the filing system's forms the answers can fill, the rest as prompts.

One sheet per filing: the entity's (主体信息) and each algorithm's (算法基础属性, 算法详细属性,
产品及功能 — or 技术服务方式 for a technical supporter). Fields follow materials.md §3; no
official manual was found, so the field list is practice and the document says so.
"""

from __future__ import annotations

from engine.drafts.catalogue import DocumentId
from engine.drafts.common import document, fact_cell, field_table, section
from engine.drafts.facts import Facts, FeatureAt
from engine.drafts.model import Document, FactRef, Section, Sentence, Table
from engine.model.assessment import Algorithm

DOC: DocumentId = "form_sheet"
INTRO_LIMIT = 500
"""功能介绍 takes at most 500 characters in the filing system."""


def entity_table(facts: Facts) -> Table:
    return field_table(facts, [
        ("主体名称", "Entity name", fact_cell(facts, facts.entity_name())),
        ("统一社会信用代码", "Credit code", fact_cell(facts, facts.credit_code(), "credit_code")),
        ("法定代表人", "Legal representative", facts.prompt("field_unknown")),
        ("算法安全责任人", "Algorithm-security officer", facts.prompt("field_unknown")),
    ])


def _basic(facts: Facts, algorithm: Algorithm) -> Table:
    rows = [
        ("算法类型", "Type", fact_cell(facts, facts.algorithm_type(algorithm))),
        ("算法名称", "Name", fact_cell(facts, facts.algorithm_name(algorithm))),
        ("上线时间", "Launch date", fact_cell(facts, facts.first_launch(algorithm))),
        ("应用领域", "Application field", facts.prompt("field_unknown")),
    ]
    if algorithm.role is not None:
        rows.append(("填报角色", "Role", fact_cell(facts, facts.algorithm_role(algorithm))))
    return field_table(facts, rows)


def _detailed(facts: Facts, algorithm: Algorithm) -> Table:
    modality = facts.output_modalities(algorithm)
    sources = [s for at in facts.features_of(algorithm) if (s := facts.model_source(at)) is not None]
    model = fact_cell(facts, sources[0]) if sources else facts.prompt("model_detail")
    return field_table(facts, [
        ("算法简介", "Summary", facts.prompt("principle_method")),
        ("使用场景", "Scenarios", fact_cell(facts, facts.algorithm_products(algorithm))),
        ("输入数据", "Input", facts.prompt("data_sources")),
        ("输出模态", "Output modality", fact_cell(facts, modality)),
        ("模型与训练数据", "Model and training data", model),
        ("算法策略", "Strategy", facts.prompt("mechanism_steps")),
        ("风险与防范机制", "Risks and safeguards", facts.prompt("control_evidence")),
    ])


def _intro(facts: Facts, at: FeatureAt) -> Sentence:
    described = facts.feature_description(at)
    if described is None or len(described.value) > INTRO_LIMIT:
        return facts.prompt("function_intro")
    return Sentence(text=described.value, facts=(described,))


def _product_rows(facts: Facts, algorithm: Algorithm, index: int) -> list[tuple[str, str, Sentence]]:
    rows = [
        ("产品名称", "Product", fact_cell(facts, facts.product_name(index))),
        ("服务形式", "Service form", fact_cell(facts, facts.forms(index))),
        ("访问地址", "Address", facts.prompt("access_address")),
        ("服务状态", "Status", fact_cell(facts, facts.launch_status(index))),
        ("服务对象", "Serves", fact_cell(facts, facts.audience(index))),
        ("实名认证", "Real-name verification", facts.prompt("real_name")),
        ("前置许可", "Sector licences", facts.prompt("sector_licence")),
        ("月活跃用户数", "Monthly active users", fact_cell(facts, facts.monthly_users(index), "service_scale")),
    ]
    for at in (a for a in facts.features_of(algorithm) if a.product == index):
        rows += [
            ("功能名称", "Function", fact_cell(facts, facts.feature_name(at))),
            ("功能访问路径", "Access path", facts.prompt("access_path")),
            ("功能介绍", "Description", _intro(facts, at)),
        ]
    return rows


def _supporter(facts: Facts, algorithm: Algorithm) -> Table:
    apis = [at for at in facts.features_of(algorithm) if at.feature.offered_as_api is True]
    way = FactRef(path=f"{apis[0].path}.offered_as_api", value="API/SDK") if apis else None
    return field_table(facts, [("技术服务方式", "Technical service mode", fact_cell(facts, way))])


def form_sheet(facts: Facts, algorithm: Algorithm | None) -> Document:
    """The entity's sheet (``algorithm`` None) or one algorithm's."""
    if algorithm is None:
        sections = [section(facts, DOC, "entity", [], tables=[entity_table(facts)])]
        return document(facts, DOC, facts.entity_name(), sections)
    sections = [section(facts, DOC, "basic", [], tables=[_basic(facts, algorithm)]),
                section(facts, DOC, "detailed", [], tables=[_detailed(facts, algorithm)])]
    if algorithm.role == "technical_supporter":
        sections.append(section(facts, DOC, "products", [], tables=[_supporter(facts, algorithm)]))
    else:
        tables = [field_table(facts, _product_rows(facts, algorithm, ref.index)) for ref in algorithm.products]
        sections.append(section(facts, DOC, "products", [], tables=tables))
    return document(facts, DOC, facts.algorithm_name(algorithm), sections)


def consistency_section(facts: Facts, checked: int, conflicts: list[tuple[str, list[tuple[str, str]]]]) -> Section:
    """What the consistency check compared, and every fact that reads differently somewhere."""
    if not conflicts:
        line = facts.say("已核对{count}项事实在各稿件与表单中的写法，均一致。",
                         "{count} facts checked across the drafts and forms: all read the same.",
                         count=FactRef(path="drafts.checked_facts", value=str(checked)))
        return section(facts, DOC, "consistency", [line], level=2)
    lines = [Sentence(text=f"{path}: " + " ≠ ".join(f"{value}（{where}）" for where, value in places))
             for path, places in conflicts]
    return section(facts, DOC, "consistency", lines, level=2)
