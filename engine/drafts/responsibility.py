"""落实算法安全主体责任基本情况: the entity's organisation and policies for algorithm security.

Section 二 lists each system the assessment's duties require, under the template's headings (自评估,
监测, 应急处置, 违法违规处置, 其他): the systems of ARP Art. 7 where that duty applies, and DSP
Art. 7 and the rumour-refutation mechanism of Art. 11 where deep synthesis applies.
"""

from __future__ import annotations

from engine.drafts.catalogue import DocumentId
from engine.drafts.common import document, header_table, section
from engine.drafts.facts import Facts
from engine.drafts.model import Document, FactRef, Paragraph, Section, Sentence

DOC: DocumentId = "responsibility"


def _organisation(facts: Facts) -> list[Sentence]:
    algorithms = [a for a in facts.assessment.algorithms if a.status != "not_required"]
    out: list[Sentence] = []
    if algorithms:
        names = FactRef(path="algorithms[*].name", value=facts.join(facts.t(a.name) for a in algorithms))
        out.append(facts.say("本主体拟备案的算法：{names}。", "Algorithms this entity files: {names}.", names=names))
    return out + [facts.prompt(k) for k in ("org_setup", "org_head", "org_requirements", "org_size", "org_tech")]


def _policies(facts: Facts) -> list[Section]:
    held = {duty.id for duty in facts.assessment.obligations}
    out = []
    catalogue = facts.catalogue.documents
    for group, heading in catalogue.policy_groups.items():
        sentences: list[Sentence] = []
        for policy in catalogue.policies:
            if policy.group != group or policy.obligation not in held:
                continue
            title = FactRef(path=f"obligations[{policy.obligation}].policies:{policy.id}", value=facts.t(policy.title))
            cite = FactRef(path=f"obligations[{policy.obligation}].policies:{policy.id}:basis",
                           value=facts.t(policy.citation))
            sentences += [facts.say("{title}（{cite}）", "{title} ({cite})", title=title, cite=cite),
                          facts.prompt("policy_content")]
        if sentences:
            out.append(Section(heading=facts.t(heading), level=2,
                               blocks=tuple(Paragraph(sentences=(s,)) for s in sentences)))
    return out


def responsibility(facts: Facts) -> Document:
    head = Section(heading=facts.t(facts.catalogue.heading(DOC, "header")), level=1,
                   blocks=(header_table(facts, None),))
    sections = [head, section(facts, DOC, "organisation", _organisation(facts)),
                section(facts, DOC, "policies", []), *_policies(facts)]
    return document(facts, DOC, facts.entity_name(), sections)
