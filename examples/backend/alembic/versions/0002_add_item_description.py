"""add items.description

Revision ID: 8b2e4d6f1a02
Revises: 3f1c9a2b7d01
Create Date: 2024-01-02 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "8b2e4d6f1a02"
down_revision: Union[str, None] = "3f1c9a2b7d01"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("items", sa.Column("description", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("items", "description")
