"""enrollment carries its hire's zone and holiday country, kept by triggers

The tick groups active enrollments by calendar (plan, start date, zone, holiday country). With
the zone only on ``person``, every tick joined 100,000 enrollments to their people; copying it
onto the enrollment lets one covering index (``ix_enrollment_calendar``) answer the grouping and
find a group's members without touching ``person``. Triggers keep the copy exact whatever writes
``person`` (the app, the CLI, a bulk load, an operator's SQL).

A later migration that rebuilds ``person`` or ``enrollment`` on SQLite (batch "move and copy")
must drop these triggers first and create them again after (``SQLITE_TRIGGERS`` below); the
schema tests check that both triggers exist and work at head.
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

_SQLITE_COPY = """
    BEGIN
        UPDATE enrollment
        SET hire_tz = (SELECT tz FROM person WHERE person.id = NEW.hire_id),
            hire_holiday_country = (SELECT holiday_country FROM person WHERE person.id = NEW.hire_id)
        WHERE id = NEW.id;
    END
"""

SQLITE_TRIGGERS = (
    "CREATE TRIGGER trg_enrollment_hire_calendar AFTER INSERT ON enrollment" + _SQLITE_COPY,
    "CREATE TRIGGER trg_enrollment_hire_changed AFTER UPDATE OF hire_id ON enrollment"
    + _SQLITE_COPY,
    """
    CREATE TRIGGER trg_person_calendar AFTER UPDATE OF tz, holiday_country ON person
    WHEN NEW.tz IS NOT OLD.tz OR NEW.holiday_country IS NOT OLD.holiday_country
    BEGIN
        UPDATE enrollment
        SET hire_tz = NEW.tz, hire_holiday_country = NEW.holiday_country
        WHERE hire_id = NEW.id;
    END
    """,
)

# SET search_path FROM CURRENT: the functions find Onramp's tables through the schema they were
# created in, whatever the search_path of the session that fires them (psql, pg_restore).
POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION onramp_enrollment_hire_calendar() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
        SELECT tz, holiday_country INTO NEW.hire_tz, NEW.hire_holiday_country
        FROM person WHERE person.id = NEW.hire_id;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER trg_enrollment_hire_calendar BEFORE INSERT OR UPDATE OF hire_id ON enrollment
    FOR EACH ROW EXECUTE FUNCTION onramp_enrollment_hire_calendar()
    """,
    """
    CREATE FUNCTION onramp_person_calendar() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
        IF NEW.tz IS DISTINCT FROM OLD.tz
           OR NEW.holiday_country IS DISTINCT FROM OLD.holiday_country THEN
            UPDATE enrollment
            SET hire_tz = NEW.tz, hire_holiday_country = NEW.holiday_country
            WHERE hire_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
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
    for statement in POSTGRESQL_TRIGGERS if _pg() else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if _pg():
        op.execute('DROP TRIGGER IF EXISTS trg_person_calendar ON person')
        op.execute('DROP TRIGGER IF EXISTS trg_enrollment_hire_calendar ON enrollment')
        op.execute('DROP FUNCTION IF EXISTS onramp_person_calendar()')
        op.execute('DROP FUNCTION IF EXISTS onramp_enrollment_hire_calendar()')
    else:
        for name in ('trg_person_calendar', 'trg_enrollment_hire_calendar', 'trg_enrollment_hire_changed'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.drop_index('ix_enrollment_calendar', table_name='enrollment')
    op.create_index('ix_enrollment_status_start', 'enrollment', ['status', 'start_date'], unique=False)
    # Plain ALTER TABLE (SQLite >= 3.35 drops a column in place): a batch rebuild of enrollment
    # would fail on its foreign keys as soon as anything refers to an enrollment.
    op.execute('ALTER TABLE enrollment DROP COLUMN hire_holiday_country')
    op.execute('ALTER TABLE enrollment DROP COLUMN hire_tz')


def _pg() -> bool:
    return op.get_bind().dialect.name == 'postgresql'
