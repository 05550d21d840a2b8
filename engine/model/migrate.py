"""Answers files written for schema 2.0 still assess: their opinion ids are mapped to the checklist.

Schema 2.0 asked for the 安全评估规定 Art. 2 list as it is worded (论坛、博客、微博客、聊天室、公众账号、
短视频、小程序…), and its help told a product that *is* an official account or mini-program to tick
"公众账号" or "小程序" — ids that meant hosting other people's. Schema 3.0 asks a checklist of
concrete features (``rules/vocabulary.yaml``, group ``opinion_feature``) with the product's own
form as a flag of its own, because that flag counts for opinion attributes only (rulings.md #8,
#11). The mapping loses nothing a rule reads: every old id and its new one draw the same
conclusions, except the two form ids, which are split by the product's own forms (hosting others'
mini-programs alone no longer brings 标识办法 Art. 6, as ruling 11 reads it).
"""

from __future__ import annotations

from typing import Any

SAME_FEATURE: dict[str, str] = {
    "forum": "ugc_posting",
    "blog": "ugc_posting",
    "microblog": "ugc_posting",
    "short_video": "ugc_posting",
    "chat_room": "group_chat",
}
"""Old ids whose feature the checklist names in other words."""

BY_OWN_FORM: dict[str, str] = {"public_account": "official_account", "mini_program_platform": "mini_program"}
"""Old ids that meant hosting others' accounts or mini-programs, but were ticked by products that
are themselves in that form (the product form that turns them into ``own_account_or_mini_program``)."""


HOSTED: dict[str, str] = {"public_account": "hosted_accounts", "mini_program_platform": "hosted_mini_programs"}
"""What the two form ids meant on a product that is not itself in that form."""


def _new_id(old: str, forms: list[Any]) -> str:
    if old in SAME_FEATURE:
        return SAME_FEATURE[old]
    return "own_account_or_mini_program" if BY_OWN_FORM[old] in forms else HOSTED[old]


def _is_old(value: Any) -> bool:
    return isinstance(value, str) and (value in SAME_FEATURE or value in BY_OWN_FORM)


def _migrate_product(index: int, product: Any, notes: list[str]) -> Any:
    """One product with its schema-2.0 opinion ids mapped, a note per change added to ``notes``."""
    chosen = product.get("opinion_features") if isinstance(product, dict) else None
    if not isinstance(chosen, list) or not any(_is_old(c) for c in chosen):
        return product
    forms = product.get("forms") if isinstance(product.get("forms"), list) else []
    new: list[Any] = []
    for old in chosen:
        value = _new_id(old, forms) if _is_old(old) else old
        if value != old:
            notes.append(f"products[{index}].opinion_features: {old} -> {value}")
        if value not in new:
            new.append(value)
    return {**product, "opinion_features": new}


def migrate_answers(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document with schema-2.0 opinion ids mapped to the checklist, and one note per change.

    Anything that is not a list of ids is left for validation to report.
    """
    products = data.get("products")
    if not isinstance(products, list):
        return data, []
    notes: list[str] = []
    migrated: list[Any] = []
    for index, product in enumerate(products):
        migrated.append(_migrate_product(index, product, notes))
    if not notes:
        return data, []
    return {**data, "products": migrated}, notes


def migration_note(source: str, notes: list[str]) -> str:
    """The one line a command prints when it migrated a file."""
    return (f"{source}: answers written for schema 2.0, opinion features read as the schema 3.0 checklist "
            f"({'; '.join(notes)})")
