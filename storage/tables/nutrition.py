"""Nutrition tables: diary entries (with the values they were logged with), custom foods and recipes,
favourites, body weights, targets, and the Open Food Facts product cache.

Every row but the product cache belongs to an account. The cache holds public Open Food Facts data
keyed by normalised barcode and is shared on purpose: one lookup serves every user, which is what
keeps the app under OFF's rate limits. Column names carry their unit (`protein_g`, `sodium_mg`,
`weight_kg`); nutrient columns of foods are per 100 g (or per 100 ml when `basis` is 'ml').
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.core import new_id, utcnow


class NutrientColumns(SQLModel):
    """The nutrient columns of every row that carries food values (the fields of nutrition.Nutrients)."""

    kcal: float | None = None
    protein_g: float | None = None
    carbs_g: float | None = None
    fat_g: float | None = None
    fiber_g: float | None = None
    sugars_g: float | None = None
    sat_fat_g: float | None = None
    sodium_mg: float | None = None


class NutritionEntry(NutrientColumns, table=True):
    """One food eaten: what, how much, and a snapshot of the nutrients it was logged with."""

    __tablename__ = "nutrition_entries"
    __table_args__ = (Index("ix_nutrition_entries_account_day", "account_id", "day"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    day: date
    meal: str = Field(max_length=32)  # breakfast | lunch | dinner | snack (imports may keep their own)
    food_ref: str = Field(max_length=64)  # usda:09040 | off:<barcode> | custom:<id> | recipe:<id> | quick | import
    food_name: str
    brand: str = ""
    amount_text: str = ""  # what the person wrote ("a cup of", "150g")
    portion_text: str = ""  # how it became grams ("1 cup = 158 g")
    quantity: float | None = None  # grams, or ml when basis is 'ml'
    basis: str = Field(default="g", max_length=2)
    per100: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    confidence: float = 1.0
    source: str = Field(default="chat", max_length=32)  # chat | button | barcode | quick | copy | import:mfp ...
    batch_id: str = Field(default_factory=new_id, index=True, max_length=32)  # one log action (undo)
    note: str = ""
    logged_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)


class NutritionFood(NutrientColumns, table=True):
    """A custom food or a recipe of one person (nutrients per 100 g / 100 ml)."""

    __tablename__ = "nutrition_foods"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="custom", max_length=16)  # custom | recipe
    name: str
    name_key: str = Field(index=True)
    brand: str = ""
    basis: str = Field(default="g", max_length=2)
    serving_g: float | None = None  # grams (or ml) in one serving
    serving_name: str = "serving"
    servings: float | None = None  # recipes: how many servings the whole batch makes
    total_g: float | None = None  # recipes: the batch weight
    barcode: str | None = Field(default=None, max_length=14)
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class NutritionRecipeItem(NutrientColumns, table=True):
    """One ingredient of a recipe, with the values it contributed when the recipe was saved."""

    __tablename__ = "nutrition_recipe_items"

    id: int | None = Field(default=None, primary_key=True)
    recipe_id: int = Field(foreign_key="nutrition_foods.id", index=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    position: int = 0
    food_ref: str = Field(max_length=64)
    food_name: str
    amount_text: str = ""
    quantity: float | None = None
    basis: str = Field(default="g", max_length=2)


class NutritionFavourite(SQLModel, table=True):
    """A food the person logs often, with the amount they usually have."""

    __tablename__ = "nutrition_favourites"
    __table_args__ = (UniqueConstraint("account_id", "food_ref", name="uq_nutrition_favourite"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    food_ref: str = Field(max_length=64)
    name: str
    amount_text: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class NutritionWeight(SQLModel, table=True):
    """Body weight on one day (the last weigh-in of a day wins)."""

    __tablename__ = "nutrition_weights"
    __table_args__ = (UniqueConstraint("account_id", "day", name="uq_nutrition_weight_day"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    day: date
    weight_kg: float
    source: str = Field(default="chat", max_length=32)
    measured_at: datetime = Field(default_factory=utcnow)


class NutritionTarget(SQLModel, table=True):
    """Daily targets. Only one is 'active'; an adaptive change waits as 'proposed' until approved."""

    __tablename__ = "nutrition_targets"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    status: str = Field(default="active", max_length=16)  # active | proposed | replaced | declined
    source: str = Field(default="profile", max_length=16)  # profile | adaptive | manual | stated
    kcal: float | None = None  # None: the person stated other targets only (e.g. protein), no calorie target
    protein_g: float | None = None
    carbs_g: float | None = None
    fat_g: float | None = None
    fiber_g: float | None = None
    expenditure_kcal: float | None = None  # the maintenance estimate the target was built from
    rationale: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class OffProduct(SQLModel, table=True):
    """Cached Open Food Facts answer for one barcode (public data, shared by all accounts)."""

    __tablename__ = "nutrition_off_products"

    code: str = Field(primary_key=True, max_length=14)  # normalised GTIN (EAN-13 / EAN-8)
    status: str = Field(default="found", max_length=16)  # found | not_found
    name: str = ""
    brand: str = ""
    product: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    fetched_at: datetime = Field(default_factory=utcnow)


class NutritionActivity(SQLModel, table=True):
    """Exercise energy and steps of one day, as another app logged them (MyFitnessPal's exercise diary).

    Kept apart from the diary: it is energy out, not in, and the expenditure estimate must not count it twice.
    """

    __tablename__ = "nutrition_activity"
    __table_args__ = (Index("ix_nutrition_activity_account_day", "account_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    day: date
    name: str
    kind: str = Field(default="cardio", max_length=16)  # cardio | strength
    kcal: float | None = None
    minutes: float | None = None
    steps: int | None = None
    note: str = ""
    source: str = Field(default="import:mfp", max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
