"""`onramp kpis select|record|import|list` end to end, on each database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from tests.support.cli import invoke

#: The day the commands run on: Tue 10 Nov 2026 (ISO week 46), a plan begun Mon 2 Nov.
TODAY = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
HIRE, BOSS = "UHIRE", "UBOSS"


@pytest.fixture(autouse=True)
def _tuesday() -> Iterator[None]:
    """Every command here runs on Tue 10 Nov 2026."""
    with time_machine.travel(TODAY, tick=False):
        yield


def run(url: str, *args: str) -> tuple[int, str, str]:
    """Run one `onramp` command in-process on ``url``; exit code, stdout and stderr."""
    return invoke(*args, env={"DATABASE_URL": url})


@pytest.fixture
def url(database_url: str) -> str:
    """A database on which HIRE, managed by BOSS, has three KPIs picked from the CLI."""
    for args in (
        (
            "enroll",
            HIRE,
            "--plan",
            "junior-llm-engineer",
            "--start",
            "2026-11-02",
            "--manager",
            BOSS,
        ),
        ("kpis", "select", HIRE, "pr-throughput", "Story cycle time", "eval coverage"),
    ):
        code, _, err = run(database_url, *args)
        assert code == 0, err
    return database_url


def test_a_cli_reading_shows_in_growth_json_with_its_target(url: str) -> None:
    """A reading recorded with `onramp kpis record` appears, with the blueprint's target quoted,
    in `onramp growth USER --json`, for the week today falls in."""
    code, out, err = run(
        url, "kpis", "record", HIRE, "pr-throughput", "5 PRs", "--note", "two big ones"
    )
    assert code == 0, err
    assert "4–10 meaningful PRs/month" in out
    code, out, err = run(url, "growth", HIRE, "--json")
    assert code == 0, err
    pr = next(k for k in json.loads(out)["kpis"] if k["id"] == "pr-throughput")
    assert pr["target"] == "4–10 meaningful PRs/month depending on scope"
    assert pr["latest"] | {"recorded_at": None} == {
        "value": 5.0,
        "period": "2026-11",
        "note": "two big ones",
        "link": None,
        "recorded_at": None,
        "recorded_by": "cli",
        "source": "cli",
    }


def test_a_csv_with_a_bad_row_names_the_line_and_imports_nothing(url: str, tmp_path: Path) -> None:
    """`onramp kpis import` names each bad line, exits 2 without a traceback and writes nothing;
    the fixed file is imported whole."""
    csv = tmp_path / "readings.csv"
    csv.write_text("user,kpi,value,period\nUHIRE,story,3 days,2026-W45\nUHIRE,story,lots,\n")
    code, out, err = run(url, "kpis", "import", str(csv))
    assert (code, out) == (2, "")
    assert "line 3: 'lots' has no number" in err
    assert "Traceback" not in err
    _, listed, _ = run(url, "kpis", "list", HIRE, "--json")
    assert all(k["readings"] == [] for k in json.loads(listed)["kpis"])
    csv.write_text("user,kpi,value,period\nUHIRE,story,3 days,2026-W45\nUHIRE,story,4,\n")
    code, out, err = run(url, "kpis", "import", str(csv))
    assert (code, out.strip()) == (0, f"Imported 2 reading(s) from {csv}."), err
    code, out, _ = run(url, "kpis", "list", HIRE)
    assert "latest: 4 for 2026-W46 · trend up" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("select", HIRE, "pr-throughput"), "at least 3"),
        (("record", HIRE, "velocity", "3"), "There is no KPI 'velocity'"),
        (("record", HIRE, "story", "3", "--period", "2026-11-31"), "is not a period"),
        (("record", HIRE, "story", "3", "--period", "9999-12"), "outside the years"),
        (("import", "/nonexistent/readings.csv"), "cannot read"),
    ],
)
def test_bad_input_exits_2_with_a_sentence(url: str, args: tuple[str, ...], said: str) -> None:
    """A wrong KPI, value, period, count or file is exit code 2 and one sentence, no traceback."""
    code, _, err = run(url, "kpis", *args)
    assert code == 2
    assert said in err
    assert "Traceback" not in err


def test_a_negative_value_is_recorded_not_read_as_an_option(url: str) -> None:
    """`onramp kpis record USER KPI -3` records -3 (a drop), options after it still apply."""
    code, out, err = run(url, "kpis", "record", HIRE, "story", "-3", "--period", "2026-W45")
    assert code == 0, err
    assert "Recorded -3 for 2026-W45 on story-cycle-time" in out
    code, out, err = run(url, "kpis", "record", HIRE, "story", "-1.5", "--perod", "2026-W45")
    assert code == 2
    assert "--perod" in err
