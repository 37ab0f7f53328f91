"""Core: the person's e1RM formula and the unit they type loads in (answered once when a load looked off).

Revision ID: core_0002_profile_lifting
Revises: core_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "core_0002_profile_lifting"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("e1rm_formula", sa.String(16)))
        batch.add_column(sa.Column("typed_load_unit", sa.String(4)))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("typed_load_unit")
        batch.drop_column("e1rm_formula")
