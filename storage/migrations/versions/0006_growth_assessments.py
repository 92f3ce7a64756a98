"""growth check-in ratings: ``assessment`` (append-only, one row per rater and dimension)

One rater's submission of a round is their rows of that round, written together; the unique key
(enrollment, round, rater, dimension) keeps a second submission out. Only a new table: nothing
existing is rebuilt.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_assessment_enrollment_id'


def upgrade() -> None:
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('round', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('dimension_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('evidence_ids', sa.JSON(), nullable=False),
    sa.Column('submitted_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['rater_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('enrollment_id', 'round', 'rater_id', 'dimension_id',
                        name='uq_assessment_rating')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f(INDEX), ['enrollment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(INDEX))
    op.drop_table('assessment')
