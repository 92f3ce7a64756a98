"""qa_log stop_reason: why Claude stopped (end_turn, max_tokens, refusal …); null without a model

One nullable column: rows written before it stay as they were.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('qa_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stop_reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('qa_log', schema=None) as batch_op:
        batch_op.drop_column('stop_reason')
