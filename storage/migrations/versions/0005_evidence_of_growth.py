"""evidence of growth: ``evidence`` (append-only) and its tags, ``evidence_tag``

Tags are rows rather than a JSON column so that "how much evidence is tagged with this rubric
dimension" is one indexed join on SQLite and PostgreSQL alike. Only new tables: ``person`` and
``enrollment`` are not rebuilt, so the triggers of 0004 stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Each new table's indexes (name, columns), in the order they are created; the downgrade drops
#: them in reverse, each table's before the table. ``f()`` marks a name as final (there is no
#: naming convention to apply), as Alembic's generated code does.
INDEXES: dict[str, list[tuple[str, list[str]]]] = {
    'evidence': [
        ('ix_evidence_enrollment_id', ['enrollment_id']),
        ('ix_evidence_hire_created', ['hire_id', 'created_at']),
    ],
    'evidence_tag': [('ix_evidence_tag_tag_id', ['tag_id'])],
}


def upgrade() -> None:
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hire_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('corroborator_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['corroborator_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['hire_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    _create_indexes('evidence')

    op.create_table('evidence_tag',
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.PrimaryKeyConstraint('evidence_id', 'tag_id')
    )
    _create_indexes('evidence_tag')


def downgrade() -> None:
    for table in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _columns in reversed(INDEXES[table]):
                batch_op.drop_index(batch_op.f(name))
        op.drop_table(table)


def _create_indexes(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, columns in INDEXES[table]:
            batch_op.create_index(batch_op.f(name), columns, unique=False)
