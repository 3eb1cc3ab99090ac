"""seed a user and two items (data migration)

Revision ID: e9d05b3a2c04
Revises: c47a1e9d5b03
Create Date: 2024-01-04 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "e9d05b3a2c04"
down_revision: Union[str, None] = "c47a1e9d5b03"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SEED_EMAIL = "seed@example.com"


def upgrade() -> None:
    # Plain SQL with literal values so `alembic upgrade --sql` (offline) works too.
    op.execute(sa.text(f"INSERT INTO users (email) VALUES ('{SEED_EMAIL}')"))
    op.execute(
        sa.text(
            "INSERT INTO items (name, description, owner_id) "
            "SELECT v.name, v.description, u.id "
            "FROM (VALUES ('first item', 'seeded by migration e9d05b3a2c04'), "
            "('second item', 'seeded by migration e9d05b3a2c04')) AS v(name, description) "
            f"CROSS JOIN users u WHERE u.email = '{SEED_EMAIL}' "
            "ORDER BY v.name"
        )
    )


def downgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM items WHERE owner_id IN "
            f"(SELECT id FROM users WHERE email = '{SEED_EMAIL}')"
        )
    )
    op.execute(sa.text(f"DELETE FROM users WHERE email = '{SEED_EMAIL}'"))
