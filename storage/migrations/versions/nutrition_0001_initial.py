"""Nutrition schema: diary entries, custom foods and recipes, favourites, weights, targets, OFF cache.

Revision ID: nutrition_0001
Revises:
Depends on: core_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "nutrition_0001"
down_revision = None
branch_labels = ("nutrition",)
depends_on = "core_0001"

NUTRIENTS = ("kcal", "protein_g", "carbs_g", "fat_g", "fiber_g", "sugars_g", "sat_fat_g", "sodium_mg")


def _nutrient_columns() -> list[sa.Column]:
    return [sa.Column(name, sa.Float) for name in NUTRIENTS]


def _account() -> sa.Column:
    return sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "nutrition_entries",
        sa.Column("id", sa.String(32), primary_key=True),
        _account(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("meal", sa.String(32), nullable=False),
        sa.Column("food_ref", sa.String(64), nullable=False),
        sa.Column("food_name", sa.String, nullable=False),
        sa.Column("brand", sa.String, nullable=False, server_default=""),
        sa.Column("amount_text", sa.String, nullable=False, server_default=""),
        sa.Column("portion_text", sa.String, nullable=False, server_default=""),
        sa.Column("quantity", sa.Float),
        sa.Column("basis", sa.String(2), nullable=False, server_default="g"),
        *_nutrient_columns(),
        sa.Column("per100", sa.JSON),
        sa.Column("confidence", sa.Float, nullable=False, server_default="1"),
        sa.Column("source", sa.String(32), nullable=False, server_default="chat"),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("note", sa.String, nullable=False, server_default=""),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nutrition_entries_account_id", "nutrition_entries", ["account_id"])
    op.create_index("ix_nutrition_entries_account_day", "nutrition_entries", ["account_id", "day"])
    op.create_index("ix_nutrition_entries_batch_id", "nutrition_entries", ["batch_id"])

    op.create_table(
        "nutrition_foods",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("kind", sa.String(16), nullable=False, server_default="custom"),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("name_key", sa.String, nullable=False),
        sa.Column("brand", sa.String, nullable=False, server_default=""),
        sa.Column("basis", sa.String(2), nullable=False, server_default="g"),
        *_nutrient_columns(),
        sa.Column("serving_g", sa.Float),
        sa.Column("serving_name", sa.String, nullable=False, server_default="serving"),
        sa.Column("servings", sa.Float),
        sa.Column("total_g", sa.Float),
        sa.Column("barcode", sa.String(14)),
        sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nutrition_foods_account_id", "nutrition_foods", ["account_id"])
    op.create_index("ix_nutrition_foods_name_key", "nutrition_foods", ["name_key"])

    op.create_table(
        "nutrition_recipe_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("recipe_id", sa.Integer, sa.ForeignKey("nutrition_foods.id", ondelete="CASCADE"), nullable=False),
        _account(),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("food_ref", sa.String(64), nullable=False),
        sa.Column("food_name", sa.String, nullable=False),
        sa.Column("amount_text", sa.String, nullable=False, server_default=""),
        sa.Column("quantity", sa.Float),
        sa.Column("basis", sa.String(2), nullable=False, server_default="g"),
        *_nutrient_columns(),
    )
    op.create_index("ix_nutrition_recipe_items_recipe_id", "nutrition_recipe_items", ["recipe_id"])
    op.create_index("ix_nutrition_recipe_items_account_id", "nutrition_recipe_items", ["account_id"])

    op.create_table(
        "nutrition_favourites",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("food_ref", sa.String(64), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("amount_text", sa.String, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "food_ref", name="uq_nutrition_favourite"),
    )
    op.create_index("ix_nutrition_favourites_account_id", "nutrition_favourites", ["account_id"])

    op.create_table(
        "nutrition_weights",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("weight_kg", sa.Float, nullable=False),
        sa.Column("source", sa.String(32), nullable=False, server_default="chat"),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "day", name="uq_nutrition_weight_day"),
    )
    op.create_index("ix_nutrition_weights_account_id", "nutrition_weights", ["account_id"])

    op.create_table(
        "nutrition_targets",
        sa.Column("id", sa.Integer, primary_key=True),
        _account(),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("source", sa.String(16), nullable=False, server_default="profile"),
        sa.Column("kcal", sa.Float, nullable=False),
        sa.Column("protein_g", sa.Float),
        sa.Column("carbs_g", sa.Float),
        sa.Column("fat_g", sa.Float),
        sa.Column("fiber_g", sa.Float),
        sa.Column("expenditure_kcal", sa.Float),
        sa.Column("rationale", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_nutrition_targets_account_id", "nutrition_targets", ["account_id"])

    op.create_table(
        "nutrition_off_products",
        sa.Column("code", sa.String(14), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="found"),
        sa.Column("name", sa.String, nullable=False, server_default=""),
        sa.Column("brand", sa.String, nullable=False, server_default=""),
        sa.Column("product", sa.JSON),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "nutrition_off_products",
        "nutrition_targets",
        "nutrition_weights",
        "nutrition_favourites",
        "nutrition_recipe_items",
        "nutrition_foods",
        "nutrition_entries",
    ):
        op.drop_table(table)
