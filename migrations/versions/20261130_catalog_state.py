"""catalog: the token that tells processes their in-memory catalog is out of date

Revision ID: catalog_state
Revises: catalog_listing
Create Date: 2026-11-30 08:30:00

Every write that changes what the public catalog shows sets a new random token in the one row
of ``catalog_state``; a process rebuilds its in-memory catalog when the token differs from the
one it was built at (``courses.queries.catalog_index``).
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_state"
down_revision = "catalog_listing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("token", sa.String(32), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "token": "initial"}])


def downgrade() -> None:
    op.drop_table("catalog_state")
