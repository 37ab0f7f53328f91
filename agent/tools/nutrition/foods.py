"""Barcodes (typed or photographed) and food information."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.nutrition.common import _TRAINING_WORDS, DOMAIN, Meal, _day, _local
from nutrition import render
from nutrition.barcode import BarcodeError, PhotoRead, find_in_text, read_barcode_photo
from nutrition.diary import DiaryError
from nutrition.meal_text import parse_meal_line
from nutrition.nutrients import fmt
from nutrition.off import OffUnavailable
from nutrition.products import ProductUnavailable
from nutrition.quantity import QuantityError, parse_amount
from nutrition.service import BarcodeOffer, barcode_offer, food_facts, search_products


# =========================================================================== barcodes and food info
class BarcodeArgs(BaseModel):
    """Look up a packaged food by its barcode (typed, or read from an attached photo) and offer to log it."""

    code: str | None = Field(default=None, description="the digits under the barcode")
    amount: str | None = Field(default=None, description="how much was eaten, if said (e.g. '330 ml', '2 servings')")
    meal: Meal | None = None
    day: str | None = None


_BARCODE_WORDS = re.compile(r"\b(barcode|bar code|scan|ean|upc|gtin|product|label|package|packet)\b", re.I)


_SERVINGS_OF_IT = re.compile(
    r"\b(?:had|ate|eaten|drank|log(?:ged)?)\s+(\d+(?:\.\d+)?)\s+(?:of\s+(?:them|those|these|it)|servings?|packs?|bars?|"
    r"packets?|cans?|bottles?)\b",
    re.I,
)


def _match_barcode(text: str, atts: list[Attachment]) -> BarcodeArgs | None:
    code = find_in_text(text or "")
    if code:
        line = parse_meal_line((text or "").replace(code, " "))
        rest = " ".join(p.text for p in line.items)
        try:
            amount: str | None = parse_amount(rest).text if rest else None
        except QuantityError:
            amount = line.items[0].amount.text if line.items and line.items[0].amount.explicit else None
        if said := _SERVINGS_OF_IT.search(text):  # "had 2 of them": servings of the scanned product
            amount = f"{said.group(1)} servings"
        return BarcodeArgs(code=code, amount=amount, meal=line.meal)  # type: ignore[arg-type]
    images = [a for a in atts if a.is_image]
    if not images:
        return None
    if _BARCODE_WORDS.search(text or ""):
        return BarcodeArgs()  # asked for a barcode: the tool says so if it can't read one
    for a in images:  # any other photo is ours only when it really shows a product barcode
        try:
            read = _photo_read(a.path)
        except BarcodeError:
            continue
        if read.code or read.unconfirmed:  # the tool reads it again (cached) and shows the digits to confirm
            return BarcodeArgs(meal=parse_meal_line(text or "").meal)  # type: ignore[arg-type]
    return None


_PHOTO_READS: dict[tuple[str, int, int], PhotoRead] = {}


def _photo_read(path: str, max_pixels: int | None = None) -> PhotoRead:
    """The barcode of a photo (two agreeing reads), cached by file so match and tool read it once."""
    from powerforge.config import get_settings

    p = Path(path)
    st = p.stat()
    key = (str(p), st.st_mtime_ns, st.st_size)
    if key not in _PHOTO_READS:
        if len(_PHOTO_READS) > 32:
            _PHOTO_READS.clear()
        _PHOTO_READS[key] = read_barcode_photo(p, max_pixels or get_settings().image_max_pixels)
    return _PHOTO_READS[key]


def _barcode_actions(offer: BarcodeOffer) -> list[Action]:
    food, code = offer.lookup.food, offer.lookup.code
    assert food is not None
    actions = []
    for a in offer.amounts:
        label = f"Log {a.amount_text}"
        if a.quantity is not None:
            label = f"Log {a.amount_text} ({a.quantity:,.0f} {a.basis}) · {fmt(a.kcal)} kcal"
        args = {
            "food_ref": f"off:{code}",
            "amount": a.amount_text,
            "meal": offer.meal,
            "day": offer.day.isoformat(),
            "label": food.name,
        }
        actions.append(Action(label=label, tool="log_food", args=args))
    return actions


@tool(
    name="food_barcode",
    description=BarcodeArgs.__doc__ or "",
    args=BarcodeArgs,
    domain=DOMAIN,
    examples=["3029330003533", "scan this barcode", "5449000011527 330 ml"],
    intents=[r"\bbarcode\b"],
    match=_match_barcode,
)
def food_barcode(ctx: ToolContext, args: BarcodeArgs) -> ToolOutput:
    code = args.code or ""
    if not code:
        images = [a for a in ctx.attachments if a.is_image]
        if not images:
            raise ToolError("Type the digits under the barcode, or attach a photo of it.")
        reads: list[PhotoRead] = []
        for a in images:
            try:
                reads.append(_photo_read(a.path, ctx.settings.image_max_pixels))
            except (BarcodeError, OSError) as e:
                raise ToolError(str(e)) from e
        sure = next((r for r in reads if r.code), None)
        if sure is None:
            once = [c for r in reads for c in r.unconfirmed]
            if not once:
                raise ToolError(
                    "I couldn't read a barcode in that photo. Try a sharper, closer shot with the whole barcode "
                    "in view, or type the digits under it."
                )
            shown = " or ".join(f"**{c}**" for c in once[:3])
            return ToolOutput(
                summary=f"Read {', '.join(once[:3])} only once from the photo; asked the person to confirm the digits.",
                markdown=f"I read {shown} from the photo, but only once, so I won't look it up on a guess "
                "(a blurred code can read as another product's). If it matches the digits under the barcode, "
                "press the button; otherwise type the digits or send a sharper photo.",
                data={"found": False, "unconfirmed": once[:3]},
                actions=[
                    Action(label=f"Look up {c}", tool="food_barcode", args={"code": c}, tooltip="These are the digits")
                    for c in once[:3]
                ],
                final=True,
            )
        code = sure.code or ""
        photo_note = (
            f"📷 I read **{code}** from your photo ({sure.how} agree). Check it against the digits under the "
            "barcode before you pick an amount."
        )
        if sure.unconfirmed:
            photo_note += f" (One view read {', '.join(sure.unconfirmed[:2])}; I went with the code read twice.)"
    else:
        photo_note = ""
    try:
        offer = barcode_offer(
            code,
            amount=args.amount,
            meal=args.meal,
            day=_day(ctx, args.day) if args.day else None,
            local_now=_local(ctx),
            settings=ctx.settings,
            engine=ctx.engine,
        )
    except (BarcodeError, ProductUnavailable) as e:
        raise ToolError(str(e)) from e
    result = offer.lookup
    if result.food is None:
        return ToolOutput(
            summary=f"Barcode {result.code} is not in Open Food Facts.",
            markdown=(photo_note + "\n\n" if photo_note else "")
            + f"Open Food Facts doesn't know `{result.code}`. You can add it as a custom food, e.g. "
            f"“create food <name>: 250 kcal, 10 g protein, 30 g carbs, 9 g fat per 100 g”.",
            data={"code": result.code, "found": False},
            final=True,
        )
    food = result.food
    md = render.product_card(food, result.code)
    if result.notes:
        md += "\n\n" + " ".join(result.notes)
    if photo_note:
        md = photo_note + "\n\n" + md
    md += "\n\nIs this it? Pick how much to log:"
    if food.flags and "no_nutrition_data" in food.flags:
        md = (
            (photo_note + "\n\n" if photo_note else "")
            + render.product_card(food, result.code)
            + "\n\nThis product has no nutrition facts on Open Food Facts, so I can't log it by amount. "
            "Quick add its calories, or create a custom food from the label."
        )
        return ToolOutput(
            summary=f"{food.label}: no nutrition data.",
            markdown=md,
            data={"code": result.code, "found": True, "flags": list(food.flags)},
            final=True,
        )
    return ToolOutput(
        summary=f"Found {food.label} ({result.code}), {fmt(food.per100.kcal)} kcal per 100 {food.basis}; "
        "waiting for the person to confirm an amount.",
        markdown=md,
        data={
            "code": result.code,
            "found": True,
            "name": food.name,
            "brand": food.brand,
            "basis": food.basis,
            "per100": food.per100.as_dict(),
            "flags": list(food.flags),
            "confidence": food.confidence,
            "source": result.source,
        },
        actions=_barcode_actions(offer),
        final=True,
    )


class FoodInfoArgs(BaseModel):
    """Nutrition facts of a food without logging it, e.g. 'how many calories in a banana', 'protein in 100g oats'.
    Set online=true to search Open Food Facts for packaged products by name."""

    query: str = Field(description="the food, with an amount if given, e.g. '100 g oats'")
    online: bool = False


_INFO_RE = re.compile(
    r"^\s*(?:how (?:many|much) (?:calories|kcal|protein|carbs|fat|fibre|fiber|sugar)s? (?:are |is )?(?:there )?in|"
    r"(?:calories|kcal|macros|nutrition|nutrients|protein) (?:in|of|for)|nutrition (?:facts|info(?:rmation)?|values?) "
    r"(?:for|of|on)|what'?s in|what is in|info on|"
    r"(?:search|look up|lookup|find)(?: food| foods)?(?: for)?)\s+(?P<q>.+?)\s*\??\s*$",
    re.I,
)


def _match_info(text: str, _a: list[Attachment]) -> FoodInfoArgs | None:
    m = _INFO_RE.match(text)
    if not m:
        return None
    q = m.group("q")
    online = bool(re.search(r"\b(open ?food ?facts|off|online|brand|packaged)\b", q, re.I))
    q = re.sub(r"\b(on|in) (open ?food ?facts|off)\b|\bonline\b", "", q, flags=re.I).strip()
    if not q or _TRAINING_WORDS.search(q):
        return None
    if re.match(r"\s*what('?s| is) in\b", text, re.I) and re.match(r"(my|your|our|today'?s?|the plan)\b", q, re.I):
        return None  # "what's in my fridge / today's workout" is no food to look up
    return FoodInfoArgs(query=q, online=online)


@tool(
    name="food_info",
    yields_to=("recall",),  # finding the athlete's own notes on a topic searches notes, not foods
    description=FoodInfoArgs.__doc__ or "",
    args=FoodInfoArgs,
    domain=DOMAIN,
    examples=["how many calories in a banana?", "protein in 100g chicken breast", "search open food facts for nutella"],
    match=_match_info,
)
def food_info(ctx: ToolContext, args: FoodInfoArgs) -> ToolOutput:
    if args.online:
        try:
            foods = search_products(args.query, ctx.settings)
        except OffUnavailable as e:
            raise ToolError(str(e)) from e
        if not foods:
            return ToolOutput(
                summary=f"No Open Food Facts products for '{args.query}'.",
                markdown=f"Open Food Facts has nothing for “{args.query}”.",
                final=True,
            )
        lines = ["| Product | Brand | kcal/100 | Protein | Carbs | Fat |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {f.name} | {f.brand} | {fmt(f.per100.kcal)} | {fmt(f.per100.protein_g, 'protein_g')} | "
            f"{fmt(f.per100.carbs_g, 'carbs_g')} | {fmt(f.per100.fat_g, 'fat_g')} |"
            for f in foods
        ]
        actions = [
            Action(label=f"{f.label[:60]} ({f.ref[4:]})", tool="food_barcode", args={"code": f.ref[4:]})
            for f in foods[:5]
        ]
        return ToolOutput(
            summary=f"{len(foods)} Open Food Facts products for '{args.query}'.",
            markdown="\n".join(lines),
            actions=actions,
            data={"codes": [f.ref[4:] for f in foods]},
            final=True,
        )
    try:
        facts = food_facts(ctx.account_id, args.query, local_now=_local(ctx), engine=ctx.engine)
    except DiaryError as e:
        raise ToolError(str(e)) from e
    rows = [(r.food.label, r.how, r.nutrients) for r in facts.rows]
    actions = [
        Action(
            label=f"Log {r.how} of {r.food.name[:50]}",
            tool="log_food",
            args={
                "food_ref": r.food.ref,
                "amount": facts.amount_text,
                "label": facts.said,
                "meal": facts.meal,
                "day": facts.day.isoformat(),
            },
        )
        for r in facts.rows
    ]
    md = render.items_table(rows, total=False)
    if not facts.confident:
        md = f"Several foods match “{facts.said}”:\n\n" + md
    return ToolOutput(
        summary="; ".join(
            f"{name}: {how} = {fmt(n.kcal)} kcal, {fmt(n.protein_g, 'protein_g')} g protein" for name, how, n in rows
        ),
        markdown=md,
        actions=actions,
        data={"foods": [{"food": name, "portion": how, **n.as_dict()} for name, how, n in rows]},
        final=True,
    )
