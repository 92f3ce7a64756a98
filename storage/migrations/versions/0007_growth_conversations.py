"""growth, part 2: KPIs per hire, the growth plan, 1:1s, private notes, packet comments

Only new tables (``kpi_selection``, ``kpi_reading``, ``focus``, ``focus_update``, ``one_on_one``,
``private_note``, ``packet_comment``): nothing existing is rebuilt.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('private_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['subject_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('private_note', schema=None) as batch_op:
        batch_op.create_index('ix_private_note_author_subject', ['author_id', 'subject_id'], unique=False)

    op.create_table('focus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('round', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('dimension_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('nudged_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('focus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_focus_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('kpi_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recorded_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kpi_reading', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_reading_enrollment_kpi', ['enrollment_id', 'kpi_id'], unique=False)

    op.create_table('kpi_selection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('selected_by_id', sa.Integer(), nullable=True),
    sa.Column('selected_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('removed_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['selected_by_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kpi_selection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_selection_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index('uq_kpi_selection_one_current', ['enrollment_id', 'kpi_id'], unique=True, sqlite_where=sa.text('removed_at IS NULL'), postgresql_where=sa.text('removed_at IS NULL'))

    op.create_table('one_on_one',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('every', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('at_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('tz', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('ended_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.ForeignKeyConstraint(['manager_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('one_on_one', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_on_one_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index('uq_one_on_one_one_running', ['enrollment_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('packet_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('packet_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packet_comment_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('focus_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('focus_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['focus_id'], ['focus.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('focus_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_focus_update_focus_id'), ['focus_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('focus_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_focus_update_focus_id'))

    op.drop_table('focus_update')
    with op.batch_alter_table('packet_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packet_comment_enrollment_id'))

    op.drop_table('packet_comment')
    with op.batch_alter_table('one_on_one', schema=None) as batch_op:
        batch_op.drop_index('uq_one_on_one_one_running', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_one_on_one_enrollment_id'))

    op.drop_table('one_on_one')
    with op.batch_alter_table('kpi_selection', schema=None) as batch_op:
        batch_op.drop_index('uq_kpi_selection_one_current', sqlite_where=sa.text('removed_at IS NULL'), postgresql_where=sa.text('removed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_kpi_selection_enrollment_id'))

    op.drop_table('kpi_selection')
    with op.batch_alter_table('kpi_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_reading_enrollment_kpi')

    op.drop_table('kpi_reading')
    with op.batch_alter_table('focus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_focus_enrollment_id'))

    op.drop_table('focus')
    with op.batch_alter_table('private_note', schema=None) as batch_op:
        batch_op.drop_index('ix_private_note_author_subject')

    op.drop_table('private_note')
