"""Share of needs_review on real filings described from their published purpose (issue 16).

48 rows drawn at random (``random.seed(16)``, 48 of the 7,322 rows of
``../shared/data/official-filings-2024-2026.csv``), each described as its product manager would
answer from the row's product names and one-line purpose alone (the list, category, role and
algorithm name were not used). Every one of them did file. Run::

    python benchmarks/needs_review_sample.py

It prints the status of each, the share of needs_review and, for each needs_review, the open
questions behind it.
"""

from __future__ import annotations

import collections
from typing import Any

from engine import assess

PUBLIC, BUSINESS = ["public"], ["business"]
OWN = ["own_account_or_mini_program"]

Row = tuple[str, list[str], list[str], list[str], list[str], dict[str, Any], dict[str, Any]]
"""(product, forms, audience, opinion features, behaviours, feature extras, product extras)"""

ROWS: list[Row] = [
    ("海纳职通", ["mini_program"], PUBLIC, OWN, ["generate_text"], {}, {}),
    ("DelphAI", ["website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("快批", ["app"], PUBLIC, [], ["generate_text"], {}, {}),
    ("醒蓝AI", ["website"], PUBLIC, [], ["generate_image"], {"biometric_output": False}, {}),
    ("TasiChat", ["website", "mini_program"], PUBLIC, OWN, ["generate_text"], {}, {}),
    ("美间设计", ["mini_program", "website"], PUBLIC, OWN, ["generate_image"], {"biometric_output": False}, {}),
    ("民航文本生成API", ["api"], BUSINESS, [], ["generate_text"], {"offered_as_api": True, "model_source": "own"},
     {"output_reaches_individuals": True}),
    ("T3出行", ["app"], PUBLIC, [], ["order_dispatch"], {}, {"user_groups": ["workers", "consumers"]}),
    ("智师通", ["website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("图像生成API", ["api"], BUSINESS, [], ["generate_image"],
     {"offered_as_api": True, "model_source": "own", "biometric_output": False}, {"output_reaches_individuals": True}),
    ("新零售智能匹配系统", ["website"], BUSINESS, [], ["generate_text"], {}, {"output_reaches_individuals": True}),
    ("智慧健康云体检管理系统", ["website"], BUSINESS, [], ["generate_text"], {}, {"output_reaches_individuals": True}),
    ("图像生成API二", ["api"], BUSINESS, [], ["generate_image"],
     {"offered_as_api": True, "model_source": "own", "biometric_output": False}, {"output_reaches_individuals": True}),
    ("简依助理", ["website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("政策问答API", ["api"], BUSINESS, [], ["generate_text"], {"offered_as_api": True, "model_source": "own"},
     {"output_reaches_individuals": True}),
    ("ShowBiz AI", ["website"], PUBLIC, [], ["generate_text", "generate_image", "generate_video", "edit_image_video"],
     {"biometric_output": False}, {}),
    ("他趣", ["app"], PUBLIC, ["ugc_posting", "comments", "group_chat"], ["recommend_by_profile"], {}, {}),
    ("科研加", ["website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("AI兔平台", ["website"], PUBLIC, [], ["generate_video"], {"biometric_output": False}, {}),
    ("麻薯动画", ["website"], PUBLIC, [], ["generate_text", "generate_image", "generate_video"],
     {"biometric_output": False}, {}),
    ("智聊", ["website"], PUBLIC, [], ["speech_recognition", "generate_text"], {}, {}),
    ("AI Chat", ["website", "app"], PUBLIC, [], ["generate_text"], {}, {}),
    ("络希", ["app"], PUBLIC, [], ["generate_text"], {}, {}),
    ("甘小知", ["mini_program"], PUBLIC, OWN, ["generate_text"], {}, {}),
    ("蜻蜓点金", ["app", "website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("chat2db", ["website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("仓颉AIGC", ["website"], PUBLIC, [], ["recommend_by_profile"], {}, {"user_groups": ["consumers"]}),
    ("恒首商贸AI", ["mini_program"], PUBLIC, OWN, ["generate_text"], {}, {}),
    ("索迈特AI", ["mini_program", "website"], PUBLIC, OWN, ["generate_image"], {"biometric_output": False}, {}),
    ("谷医堂商城", ["mini_program", "app"], PUBLIC, OWN, ["smart_customer_service", "generate_audio"],
     {"biometric_output": False}, {"user_groups": ["consumers"]}),
    ("文本生成API", ["api"], BUSINESS, [], ["generate_text"], {"offered_as_api": True, "model_source": "own"},
     {"output_reaches_individuals": True}),
    ("云望城市视觉大模型应用系统", ["website"], BUSINESS, [], ["search_by_query"], {},
     {"output_reaches_individuals": True}),
    ("一际智眸", ["website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("千穰大模型", ["app"], PUBLIC, [], ["generate_text"], {"model_source": "own"}, {}),
    ("答题卡扫描API", ["api"], BUSINESS, [], ["edit_image_video"],
     {"offered_as_api": True, "model_source": "own", "large_model": False, "biometric_output": False},
     {"output_reaches_individuals": True}),
    ("MERIT超燃脂", ["app"], PUBLIC, [], ["generate_text"], {}, {}),
    ("货拉拉", ["app"], PUBLIC, [], ["smart_customer_service", "generate_audio"], {"biometric_output": False},
     {"user_groups": ["workers", "consumers"]}),
    ("文旅文本音频API", ["api"], BUSINESS, [], ["generate_text", "generate_audio"],
     {"offered_as_api": True, "model_source": "own", "biometric_output": False}, {"output_reaches_individuals": True}),
    ("云创数据", ["other"], BUSINESS, [], ["decision_support"], {}, {"output_reaches_individuals": True}),
    ("声吧", ["app"], PUBLIC, [], ["generate_text"], {}, {}),
    ("找钢网", ["app", "website"], BUSINESS, [], ["generate_text"], {}, {"output_reaches_individuals": True}),
    ("3D盲盒视频API", ["api"], BUSINESS, [], ["generate_video"],
     {"offered_as_api": True, "model_source": "own", "biometric_output": True}, {"output_reaches_individuals": True}),
    ("AI学堂", ["website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("智慧BOX", ["website"], PUBLIC, [], ["generate_text"], {}, {"news": True}),
    ("RQ Aigent", ["website"], PUBLIC, [], ["generate_text"], {}, {}),
    ("福昕PDF", ["app", "website", "desktop_app", "other"], PUBLIC, [], ["generate_text", "machine_translation"],
     {}, {}),
    ("变声器男声变女声", ["app"], PUBLIC, [], ["voice_clone"],
     {"large_model": False, "biometric_output": True, "model_source": "own"}, {}),
    ("大白智问", ["other"], PUBLIC, [], ["generate_text"], {}, {}),
]

GENERATIVE_DEFAULTS = {"large_model": True, "model_source": "third_party_api"}


def answers(row: Row) -> dict[str, Any]:
    """The answers file of one row."""
    name, forms, audience, opinion, behaviours, feature_extra, product_extra = row
    feature: dict[str, Any] = {"name": "主要功能", "behaviours": behaviours}
    generative = {"generate_text", "generate_image", "generate_video", "generate_audio", "edit_image_video",
                  "voice_clone", "speech_recognition", "machine_translation", "smart_customer_service"}
    if generative & set(behaviours):
        feature.update(GENERATIVE_DEFAULTS)
    feature.update(feature_extra)
    product = {"name": name, "forms": forms, "audience": audience, "opinion_features": opinion,
               "commercial": True, "features": [feature], **product_extra}
    return {"entity": {"name": f"{name}的运营主体"}, "products": [product]}


def main() -> None:
    statuses: collections.Counter[str] = collections.Counter()
    causes: collections.Counter[str] = collections.Counter()
    for row in ROWS:
        result = assess(answers(row))
        statuses[result.filing.status] += 1
        line = f"{row[0]}: {result.filing.status}"
        if result.filing.status == "needs_review":
            questions = sorted({q.id for q in result.open_questions})
            causes.update(questions)
            line += f" (open: {', '.join(questions)})"
        print(line)
    total = len(ROWS)
    print(f"\n{total} products: " + ", ".join(f"{s} {n}" for s, n in statuses.most_common()))
    print(f"needs_review: {statuses['needs_review']}/{total} = {statuses['needs_review'] / total:.0%}")
    if causes:
        print("open questions behind needs_review: " + ", ".join(f"{q} {n}" for q, n in causes.most_common()))


if __name__ == "__main__":
    main()
