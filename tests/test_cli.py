"""The operator CLI end to end: plans, enrollment, progress, marking and export."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from bot.cli import load

ROOT = Path(__file__).resolve().parents[1]
CONFIG = str(ROOT / "app.yaml")
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
    """Run one `onramp` command in-process; return exit code, stdout and stderr."""
    runner = CliRunner()
    result = runner.invoke(
        load(),
        [*args, "--config", CONFIG] if config else list(args),
        env={"DATABASE_URL": database_url},
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


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


def test_progress_text_shows_bars_and_current_phase(database_url: str) -> None:
    """The text report shows each phase with a bar and the current phase's milestones."""
    run(database_url, *ENROLL)
    run(database_url, "mark", "UHIRE", "d30-product-surface", "blocked", "--note", "no access")
    code, out, _ = run(database_url, "progress", "UHIRE")
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
    database_url: str, as_of: str, day: int, current: str
) -> None:
    """`progress --as-of DATE` shows the day number and current phase of that date, not today's."""
    run(database_url, *ENROLL)
    code, out, _ = run(database_url, "progress", "UHIRE", "--as-of", as_of, "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["day"], report["current_phase"]) == (day, current)
    code, out, _ = run(database_url, "progress", "UHIRE", "--as-of", as_of)
    assert f"day {day};" in out


def test_progress_as_of_refuses_what_is_not_a_date(database_url: str) -> None:
    """`--as-of` that is not a date exits 2 with the format to use."""
    run(database_url, *ENROLL)
    code, _, err = run(database_url, "progress", "UHIRE", "--as-of", "yesterday")
    assert code == 2
    assert "--as-of 'yesterday' is not a date; use YYYY-MM-DD" in err


def test_export_csv_and_json(database_url: str) -> None:
    """Export prints one row per milestone, as CSV or as JSON."""
    run(database_url, *ENROLL)
    code, out, _ = run(database_url, "export")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("enrollment,hire,hire_name,plan")
    assert len(lines) == 1 + 32
    code, out, _ = run(database_url, "export", "--format", "json")
    assert len(json.loads(out)) == 32


def test_plans_list_show_and_schema(tmp_path: Path) -> None:
    """plans list/show/schema describe the shipped plan; show --json keeps its documented shape."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code, out, _ = run(url, "plans", "list")
    assert code == 0
    assert out.startswith("junior-llm-engineer")
    code, out, _ = run(url, "plans", "show", "junior-llm-engineer", "--json")
    plan = json.loads(out)
    assert set(plan) == {"id", "title", "version", "phases", "kpis"}
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
    code, out, _ = run(url, "plans", "show", "junior-llm-engineer")
    assert "day-30 — Onboarding and foundation (due 30 days after start)" in out
    code, out, _ = run(url, "plans", "schema", config=False)
    assert json.loads(out)["title"] == "Onramp plan.yaml"


def test_plans_check_passes_on_main(tmp_path: Path) -> None:
    """`onramp plans check` accepts the shipped plans."""
    code, out, _ = run(f"sqlite:///{tmp_path / 'x.db'}", "plans", "check")
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


def test_plans_check_refuses_a_duplicate_milestone_id(tmp_path: Path) -> None:
    """A duplicate milestone id fails the check with exit 2 and `plan.yaml:LINE:` in the message."""
    plan = _broken_copy(tmp_path, "id: d60-own-component", "id: d30-product-surface")
    line = next(
        i
        for i, text in enumerate(plan.read_text(encoding="utf-8").splitlines(), 1)
        if "id: d30-product-surface" in text and i > 30
    )
    code, _, err = run(f"sqlite:///{tmp_path / 'x.db'}", "plans", "check", str(plan))
    assert code == 2
    assert f"plan.yaml:{line}: phases[1].milestones[0].id: duplicate milestone id" in err


def test_plans_check_refuses_a_dangling_source(tmp_path: Path) -> None:
    """A source naming no blueprint section fails with the line and a suggestion."""
    plan = _broken_copy(tmp_path, "source: s6.60-day-goals", "source: s6.60-days")
    code, _, err = run(f"sqlite:///{tmp_path / 'x.db'}", "plans", "check", str(plan.parent))
    assert code == 2
    assert "plan.yaml:" in err
    assert "no blueprint section 's6.60-days' (did you mean 's6.60-day-goals'?)" in err


def test_db_upgrade_reports_what_it_did(tmp_path: Path) -> None:
    """db upgrade migrates an empty database once and then says it is up to date."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code, out, _ = run(url, "db", "upgrade")
    assert code == 0
    assert out.startswith("Database upgraded from empty to")
    code, out, _ = run(url, "db", "upgrade")
    assert code == 0
    assert out.startswith("Database already at")


def test_unreachable_database_is_a_configuration_error(tmp_path: Path) -> None:
    """A database that can't be reached gives exit 2 and a hint, not a stack trace."""
    code, _, err = run("postgresql://nobody@127.0.0.1:1/none", "progress", "UHIRE")
    assert code == 2
    assert "cannot use the database" in err
    assert "DATABASE_URL" in err


def test_the_console_script_runs(tmp_path: Path) -> None:
    """The installed `onramp` entry point runs a command in a fresh process."""
    script = Path(sys.executable).parent / "onramp"
    result = subprocess.run(
        [str(script), "plans", "list", "--config", CONFIG],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": str(script.parent), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("junior-llm-engineer")


def test_people_set_holiday_country(database_url: str) -> None:
    """`people set --holiday-country` stores the code upper-cased, says so (text and --json),
    and `none` goes back to the workspace default."""
    run(database_url, *ENROLL)
    code, out, _ = run(database_url, "people", "set", "UHIRE", "--holiday-country", "de-by")
    assert (code, out) == (0, "UHIRE: check-ins now skip public holidays of DE-BY.\n")
    code, out, _ = run(
        database_url, "people", "set", "UHIRE", "--holiday-country", "DE-BY", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "user": "UHIRE",
        "holiday_country": "DE-BY",
        "previous": "DE-BY",
        "changed": False,
        "workspace_default": None,
    }
    code, out, _ = run(database_url, "people", "set", "UHIRE", "--holiday-country", "none")
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
    database_url: str, args: tuple[str, ...], code: int, message: str
) -> None:
    """A missing setting or an unknown code exits 2, an unknown person 1, each with the fix."""
    run(database_url, *ENROLL)
    exit_code, _, err = run(database_url, *args)
    assert (exit_code, "Traceback" in err) == (code, False)
    assert message in err
