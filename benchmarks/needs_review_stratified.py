"""Share of needs_review on a stratified sample of real filings, described as a PM would (issue 16).

``needs_review_sample.py`` draws at random, and nine in ten filings are generation/synthesis. This
sample is stratified instead: with ``random.seed(1605)``, from the rows of
``../shared/data/official-filings-2022-2023.csv`` and ``official-filings-2024-2026.csv`` not in
that sample, 10 each of the published categories 个性化推送类, 排序精选类, 信息检索类, 内容过滤类 and
调度决策类, and 5 each of 生成合成类 filed as 服务提供者 and as 服务技术支持者 (60 rows; the technical
supporters' rows name no product: an API to business customers). Each was answered as its product
manager would, from the row's product names (with their forms) and its one-line purpose alone:
behaviours by the questionnaire's plain wording, opinion features only where the purpose or a
well-known public product obviously has them, ``unsure`` only where a PM could not know. The
category, role and algorithm name were not read for the answers; they are kept here (``published``)
only to compare the tool's algorithm types with them. Every one of them did file. Run::

    python benchmarks/needs_review_stratified.py

It prints, for each row, the status, the tool's algorithm types against the published one, and for
needs_review the open questions and whether an ``unsure`` answer is behind them; then the shares.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

from engine import assess

PUBLIC, BUSINESS, BOTH = ["public"], ["business"], ["public", "business"]
OWN = "own_account_or_mini_program"

TYPES = {  # the published category -> (type, subtype) of the tool
    "个性化推送类": ("personalized_push", None),
    "排序精选类": ("ranking_selection", None),
    "信息检索类": ("retrieval_filtering", "information_retrieval"),
    "内容过滤类": ("retrieval_filtering", "content_filtering"),
    "调度决策类": ("scheduling_decision", None),
    "生成合成类": ("generation_synthesis", None),
}
ROLES = {"服务提供者": "service_provider", "服务技术支持者": "technical_supporter", "": None}


@dataclass(frozen=True)
class Row:
    """One filing: its number and published category and role, and the PM's answers."""

    number: str
    published: str
    role: str
    product: str
    forms: list[str]
    audience: list[str]
    opinion: list[str]
    behaviours: list[str]
    feature: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def api(number: str, role: str, behaviours: list[str], **feature: Any) -> Row:
    """A generative capability offered to business customers as an API (the row names no product)."""
    return Row(number, "生成合成类", role, f"API {number[-8:-1]}", ["api"], BUSINESS, [], behaviours,
               {"offered_as_api": True, **feature}, {"output_reaches_individuals": True})


REACHES = {"output_reaches_individuals": True}
STATUSES = ("required", "recommended", "needs_review", "not_required")

ROWS: list[Row] = [
    # 个性化推送类
    Row("网信算备440106203028802220011号", "个性化推送类", "", "UC浏览器", ["app"], PUBLIC, ["comments"],
        ["recommend_by_profile"], extra={"news": True}),
    Row("网信算备440305295988702220031号", "个性化推送类", "", "QQ", ["app"], PUBLIC,
        ["group_chat", "public_profiles", "comments"], ["recommend_by_profile"], extra={"user_groups": ["minors"]}),
    Row("网信算备310113217024702240015号", "个性化推送类", "", "我的钢铁", ["app"], BOTH, [],
        ["recommend_by_profile"]),
    Row("网信算备310112870606502260015号", "个性化推送类", "", "途虎养车", ["app"], PUBLIC, ["reviews"],
        ["recommend_by_profile"], extra={"user_groups": ["consumers"]}),
    Row("网信算备500112221739902220013号", "个性化推送类", "", "猪八戒", ["app", "website"], BOTH, ["reviews"],
        ["recommend_by_profile"], extra={"user_groups": ["consumers"]}),
    Row("网信算备110105228536702230017号", "个性化推送类", "", "翻咔", ["app"], PUBLIC,
        ["ugc_posting", "public_profiles", "comments"], ["recommend_by_profile"]),
    Row("网信算备330110877660002230019号", "个性化推送类", "", "点淘", ["app"], PUBLIC, ["live_streaming", "comments"],
        ["recommend_by_profile"], extra={"user_groups": ["consumers"]}),
    Row("网信算备330108981808202250019号", "个性化推送类", "", "颜知", ["mini_program"], PUBLIC, [OWN],
        ["recommend_by_profile"], extra={"user_groups": ["consumers"]}),
    Row("网信算备320411414444402260013号", "个性化推送类", "", "剧里购", ["app"], PUBLIC, [],
        ["recommend_by_profile"], extra={"user_groups": ["consumers"]}),
    Row("网信算备440106379943602250011号", "个性化推送类", "", "湾创成果转化", ["mini_program"], PUBLIC, [OWN],
        ["recommend_by_profile"]),
    # 排序精选类
    Row("网信算备320214549412803250017号", "排序精选类", "", "宇磁商城", ["mini_program"], PUBLIC, [OWN, "reviews"],
        ["list_sorting", "recommend_by_profile"], extra={"user_groups": ["consumers"]}),
    Row("网信算备110105841475603240011号", "排序精选类", "", "赶集直招", ["app"], PUBLIC, [],
        ["recommend_by_profile", "list_sorting", "condition_filtering"]),
    Row("网信算备330106605458603240019号", "排序精选类", "", "婚礼纪", ["website", "mini_program", "app"], PUBLIC,
        [OWN, "reviews", "ugc_posting", "comments"], ["list_sorting"], extra={"user_groups": ["consumers"]}),
    Row("网信算备310104639845003250019号", "排序精选类", "", "画龙AI运营官", ["website"], BUSINESS, [],
        ["recommend_by_profile", "list_sorting"], extra=REACHES),
    Row("网信算备110102044548003240013号", "排序精选类", "", "福佑卡车司机", ["app"], PUBLIC, [],
        ["recommend_by_profile", "list_sorting"], extra={"user_groups": ["workers"]}),
    Row("网信算备110106421525303230019号", "排序精选类", "", "什么值得买", ["app", "website"], PUBLIC,
        ["ugc_posting", "comments"], ["hot_list", "leaderboard", "editorial_ranking"],
        extra={"user_groups": ["consumers"]}),
    Row("网信算备110115535404903260015号", "排序精选类", "", "图迅丰达车机语音助手", ["app"], PUBLIC, [],
        ["search_by_query"], extra={"news": True}),
    Row("网信算备110105104784003240019号", "排序精选类", "", "梨视频", ["app"], PUBLIC, ["comments"],
        ["list_sorting"], extra={"news": True}),
    Row("网信算备110107891310103250011号", "排序精选类", "", "筛选算法电商平台", ["website"], PUBLIC, [],
        ["list_sorting", "editorial_ranking"], extra={"user_groups": ["consumers"]}),
    Row("网信算备110101616911603240019号", "排序精选类", "", "图谱招聘管理系统", ["website"], BUSINESS, [],
        ["ranked_suggestions"], extra=REACHES),
    # 信息检索类
    Row("网信算备441901133242104250013号", "信息检索类", "", "圈子AI开发运行平台", ["website"], BUSINESS, [],
        ["knowledge_base_retrieval"], extra=REACHES),
    Row("网信算备310112211756704250013号", "信息检索类", "", "哈啰", ["app"], PUBLIC, [],
        ["search_by_query"], extra={"user_groups": ["consumers", "workers"]}),
    Row("网信算备330110872770704220021号", "信息检索类", "", "手机淘宝", ["app"], PUBLIC,
        ["reviews", "qa", "live_streaming", "comments"], ["search_by_query"], extra={"user_groups": ["consumers"]}),
    Row("网信算备440305270444804250011号", "信息检索类", "", "平安健康", ["mini_program", "app"], PUBLIC, [OWN],
        ["search_by_query"], extra={"user_groups": ["consumers"]}),
    Row("网信算备330111986308504260017号", "信息检索类", "", "麟云数据治理平台", ["website"], BUSINESS, [],
        ["search_by_query"], extra=REACHES),
    Row("网信算备110107716987204250011号", "信息检索类", "", "多点", ["app"], PUBLIC, [],
        ["search_by_query"], extra={"user_groups": ["consumers"]}),
    Row("网信算备440304735766804240017号", "信息检索类", "", "新财富-金融搜一搜", ["website"], PUBLIC, [],
        ["search_by_query"]),
    Row("网信算备440106449818504250011号", "信息检索类", "", "舆情研判系统", ["website"], BUSINESS, [],
        ["search_by_query", "external_content_monitoring"], extra=REACHES),
    Row("网信算备320505831207704260013号", "信息检索类", "", "禾蛙", ["mini_program", "website"], BOTH, [OWN],
        ["search_by_query"]),
    Row("网信算备330110005219904240013号", "信息检索类", "", "藏经阁", ["website"], PUBLIC, [],
        ["search_by_query"]),
    # 内容过滤类
    Row("网信算备330109279114005250013号", "内容过滤类", "", "goodwaf", ["website"], BUSINESS, [],
        ["security_threat_filtering"], extra=REACHES),
    Row("网信算备440115912842105250011号", "内容过滤类", "", "埋堆堆", ["app"], PUBLIC, ["comments"],
        ["condition_filtering"]),
    Row("网信算备440112876640305250011号", "内容过滤类", "", "智用安全治理系统", ["website"], BUSINESS, [],
        ["content_moderation"], extra=REACHES),
    Row("网信算备440115713054405240017号", "内容过滤类", "", "云从从容大模型官网", ["website"], PUBLIC, [],
        ["content_moderation"]),
    Row("网信算备110114780504505250019号", "内容过滤类", "", "云梦泽", ["website", "app", "mini_program"], BUSINESS,
        [], ["content_moderation"], extra=REACHES),
    Row("网信算备110108960357005250019号", "内容过滤类", "", "瑞比互联网内容巡查系统", ["website"], BUSINESS, [],
        ["external_content_monitoring"], extra=REACHES),
    Row("网信算备440105504228005260017号", "内容过滤类", "", "空间超感知内容分析服务", ["website"], BUSINESS, [],
        ["content_moderation"], extra=REACHES),
    Row("网信算备110108221520905240011号", "内容过滤类", "", "乐信图像内容AI筛选算法服务系统", ["website"], BUSINESS,
        [], ["condition_filtering"], extra=REACHES),
    Row("网信算备440607285902805240019号", "内容过滤类", "", "果胜铁肩问政",
        ["mini_program", "app", "official_account", "website"], PUBLIC, [OWN, "ugc_posting", "qa", "comments"],
        ["content_moderation"]),
    Row("网信算备440105974095305240023号", "内容过滤类", "", "夸克", ["app"], PUBLIC, ["ugc_posting"],
        ["content_moderation"]),
    # 调度决策类
    Row("网信算备440105398500406240017号", "调度决策类", "", "能迪天罡", ["app", "website", "mini_program"], BUSINESS,
        [], ["generate_text"], {"model_source": "third_party_api"}, REACHES),
    Row("网信算备110113850355406260019号", "调度决策类", "", "冷运宝", ["app", "mini_program"], BOTH, [OWN],
        ["dynamic_pricing", "order_dispatch"], extra={"user_groups": ["workers", "consumers"]}),
    Row("网信算备450108134415306250013号", "调度决策类", "", "SinaeTour", ["mini_program"], PUBLIC, [OWN],
        ["route_planning"], extra={"user_groups": ["consumers"]}),
    Row("网信算备330111986308506260019号", "调度决策类", "", "麟云智能视频分析平台", ["website"], BUSINESS, [],
        ["resource_allocation"], extra=REACHES),
    Row("网信算备320115996697506240033号", "调度决策类", "", "T3出行", ["mini_program", "app"], PUBLIC, [OWN],
        ["pickup_point_suggestion"], extra={"user_groups": ["consumers", "workers"]}),
    Row("网信算备310115772784606250011号", "调度决策类", "", "前置仓中台系统", ["website"], BUSINESS, [],
        ["order_dispatch", "eta_prediction"], extra={**REACHES, "user_groups": ["workers"]}),
    Row("网信算备320106205911706240023号", "调度决策类", "", "智慧TMS系统", ["website", "app"], BUSINESS, [],
        ["route_planning", "decision_support"], extra={**REACHES, "user_groups": ["workers"]}),
    Row("网信算备330108174934106260017号", "调度决策类", "", "智能运行图", ["website"], BUSINESS, [],
        ["resource_allocation"], extra=REACHES),
    Row("网信算备330108585714406240011号", "调度决策类", "", "添猫司机", ["app"], PUBLIC, [],
        ["order_dispatch"], extra={"user_groups": ["workers"]}),
    Row("网信算备310114416640006260011号", "调度决策类", "", "工单系统", ["website"], BUSINESS, [],
        ["order_dispatch", "decision_support"], extra={**REACHES, "user_groups": ["workers"]}),
    # 生成合成类, 服务提供者
    Row("网信算备440105765072401250017号", "生成合成类", "服务提供者", "广州城市合伙人智能助手葱妹", ["website"],
        PUBLIC, [], ["generate_text"], {"model_source": "third_party_api"}),
    Row("网信算备370215713526701240013号", "生成合成类", "服务提供者", "奇智孔明", ["website"], BUSINESS, [],
        ["generate_text"], {"model_source": "third_party_api"}, REACHES),
    Row("网信算备320506034507901250011号", "生成合成类", "服务提供者", "大群空间", ["app"], BUSINESS, [],
        ["generate_text", "speech_recognition"], {"model_source": "third_party_api"}, REACHES),
    Row("网信算备330110391028001230039号", "生成合成类", "服务提供者", "钉钉", ["app"], BOTH, ["group_chat"],
        ["smart_customer_service", "generate_text", "generate_image", "generate_audio", "generate_video"],
        {"model_source": "own", "biometric_output": False}, {"user_groups": ["minors"]}),
    Row("网信算备110108795308301250017号", "生成合成类", "服务提供者", "不动产登记智能客服", ["website"], PUBLIC, [],
        ["smart_customer_service", "generate_text"], {"model_source": "third_party_api"}),
    # 生成合成类, 服务技术支持者 (no product named: an API for business customers)
    api("网信算备110102359511101240075号", "服务技术支持者", ["generate_image", "generate_video", "edit_image_video"],
        model_source="own", biometric_output=False, downstream_public=True),
    api("网信算备330110553690901260043号", "服务技术支持者", ["generate_text"], model_source="own",
        downstream_public=True),
    api("网信算备310115758985201240011号", "服务技术支持者", ["generate_text", "image_recognition"],
        model_source="own", downstream_public=True),
    api("网信算备440305592151301250029号", "服务技术支持者", ["ocr"], model_source="not_large_model",
        downstream_public=False),
    api("网信算备110105177543301250015号", "服务技术支持者", ["generate_text"], model_source="own",
        downstream_public=True),
]


def answers(row: Row) -> dict[str, Any]:
    """The answers file of one row."""
    feature = {"name": "主要功能", "behaviours": row.behaviours, **row.feature}
    product = {"name": row.product, "forms": row.forms, "audience": row.audience, "opinion_features": row.opinion,
               "features": [feature], **row.extra}
    return {"entity": {"name": f"{row.product}的运营主体"}, "products": [product]}


def unsure_answers(doc: dict[str, Any]) -> list[str]:
    """The answers given as ``unsure`` (none in this sample unless a PM could not know)."""
    found = []
    for product in doc["products"]:
        for key, value in product.items():
            if value == "unsure" or (isinstance(value, list) and "unsure" in value):
                found.append(key)
        for feature in product["features"]:
            found += [key for key, value in feature.items()
                      if value == "unsure" or (isinstance(value, list) and "unsure" in value)]
    return found


def main() -> None:
    statuses: collections.Counter[str] = collections.Counter()
    by_category: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    type_hits = 0
    for row in ROWS:
        doc = answers(row)
        result = assess(doc)
        status = result.filing.status
        statuses[status] += 1
        by_category[f"{row.published}{'/' + row.role if row.role else ''}"][status] += 1
        kind, subtype = TYPES[row.published]
        role = ROLES[row.role]
        types = sorted({(a.type, a.subtype, a.role) for a in result.algorithms})
        hit = any(t == kind and (subtype is None or s == subtype) and (role is None or r == role)
                  for t, s, r in types)
        type_hits += hit
        shown = ", ".join("/".join(x for x in t if x) for t in types) or "no algorithm"
        line = f"{row.product} [{row.published}]: {status}; types {shown}{'' if hit else ' (published type missing)'}"
        if status == "needs_review":
            questions = sorted({q.id for q in result.open_questions})
            unsure = unsure_answers(doc)
            line += f"; open: {', '.join(questions)}; " + (f"unsure: {', '.join(unsure)}" if unsure else "no unsure")
        print(line)
    total = len(ROWS)
    print(f"\n{total} products: " + ", ".join(f"{s} {statuses[s]} ({statuses[s] / total:.0%})" for s in STATUSES))
    for category, counts in by_category.items():
        print(f"  {category}: " + ", ".join(f"{s} {counts[s]}" for s in STATUSES if counts[s]))
    print(f"needs_review: {statuses['needs_review']}/{total} = {statuses['needs_review'] / total:.0%}")
    print(f"published type among the tool's algorithms: {type_hits}/{total}")


if __name__ == "__main__":
    main()
