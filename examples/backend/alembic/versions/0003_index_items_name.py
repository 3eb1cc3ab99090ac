"""index items.name

Revision ID: c47a1e9d5b03
Revises: 8b2e4d6f1a02
Create Date: 2024-01-03 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "c47a1e9d5b03"
down_revision: Union[str, None] = "8b2e4d6f1a02"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_items_name", "items", ["name"])


def downgrade() -> None:
    op.drop_index("ix_items_name", table_name="items")
