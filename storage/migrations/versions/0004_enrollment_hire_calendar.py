"""enrollment carries its hire's zone and holiday country, kept by triggers

The tick groups active enrollments by calendar (plan, start date, zone, holiday country). With
the zone only on ``person``, every tick joined 100,000 enrollments to their people; copying it
onto the enrollment lets one covering index (``ix_enrollment_calendar``) answer the grouping and
find a group's members without touching ``person``. Triggers keep the copy exact whatever writes
``person`` (the app, the CLI, a bulk load, an operator's SQL).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CALENDAR_COLUMNS = ['status', 'start_date', 'plan_id', 'hire_tz', 'hire_holiday_country', 'hire_id']

SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER trg_enrollment_hire_calendar AFTER INSERT ON enrollment
    BEGIN
        UPDATE enrollment
        SET hire_tz = (SELECT tz FROM person WHERE person.id = NEW.hire_id),
            hire_holiday_country = (SELECT holiday_country FROM person WHERE person.id = NEW.hire_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER trg_person_calendar AFTER UPDATE OF tz, holiday_country ON person
    BEGIN
        UPDATE enrollment
        SET hire_tz = NEW.tz, hire_holiday_country = NEW.holiday_country
        WHERE hire_id = NEW.id;
    END
    """,
)

POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION onramp_enrollment_hire_calendar() RETURNS trigger AS $$
    BEGIN
        SELECT tz, holiday_country INTO NEW.hire_tz, NEW.hire_holiday_country
        FROM person WHERE person.id = NEW.hire_id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER trg_enrollment_hire_calendar BEFORE INSERT OR UPDATE OF hire_id ON enrollment
    FOR EACH ROW EXECUTE FUNCTION onramp_enrollment_hire_calendar()
    """,
    """
    CREATE FUNCTION onramp_person_calendar() RETURNS trigger AS $$
    BEGIN
        IF NEW.tz IS DISTINCT FROM OLD.tz
           OR NEW.holiday_country IS DISTINCT FROM OLD.holiday_country THEN
            UPDATE enrollment
            SET hire_tz = NEW.tz, hire_holiday_country = NEW.holiday_country
            WHERE hire_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER trg_person_calendar AFTER UPDATE OF tz, holiday_country ON person
    FOR EACH ROW EXECUTE FUNCTION onramp_person_calendar()
    """,
)


def upgrade() -> None:
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hire_tz', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hire_holiday_country', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.drop_index('ix_enrollment_status_start')
        batch_op.create_index('ix_enrollment_calendar', CALENDAR_COLUMNS, unique=False)
    op.execute(
        "UPDATE enrollment SET "
        "hire_tz = (SELECT tz FROM person WHERE person.id = enrollment.hire_id), "
        "hire_holiday_country = (SELECT holiday_country FROM person WHERE person.id = enrollment.hire_id)"
    )
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    op.execute('DROP TRIGGER IF EXISTS trg_person_calendar' + (' ON person' if _pg() else ''))
    op.execute('DROP TRIGGER IF EXISTS trg_enrollment_hire_calendar' + (' ON enrollment' if _pg() else ''))
    if _pg():
        op.execute('DROP FUNCTION IF EXISTS onramp_person_calendar()')
        op.execute('DROP FUNCTION IF EXISTS onramp_enrollment_hire_calendar()')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollment_calendar')
        batch_op.create_index('ix_enrollment_status_start', ['status', 'start_date'], unique=False)
        batch_op.drop_column('hire_holiday_country')
        batch_op.drop_column('hire_tz')


def _pg() -> bool:
    return op.get_bind().dialect.name == 'postgresql'
