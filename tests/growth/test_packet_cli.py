"""`onramp packet` end to end, on each database: the file, the formats, the refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from storage.engine import open_database
from tests.support.cli import invoke
from tests.support.packet import KPI_TARGET, PRIVATE_NOTE, PRIVATE_WIN, TODAY, seed_packet

HIRE, BOSS = "UHIRE", "UBOSS"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    """Every command here runs on TODAY (Mon 10 May 2027)."""
    with time_machine.travel(TODAY, tick=False):
        yield


def run(url: str, *args: str) -> tuple[int, str, str]:
    """Run one `onramp` command in-process on ``url``; exit code, stdout and stderr."""
    return invoke(*args, env={"DATABASE_URL": url})


@pytest.fixture
def url(database_url: str) -> str:
    """HIRE enrolled from 2 Nov 2026, managed by BOSS, with a year of rows."""
    code, _, err = run(
        database_url,
        *("enroll", HIRE, "--plan", "junior-llm-engineer", "--start", "2026-11-02"),
        *("--manager", BOSS),
    )
    assert code == 0, err
    db = open_database(database_url)
    try:
        seed_packet(db, hire=HIRE, manager=BOSS)
    finally:
        db.dispose()
    return database_url


def test_html_file_has_milestones_ratings_evidence_and_kpis_and_fetches_nothing(
    url: str, tmp_path: Path
) -> None:
    """`onramp packet USER --format html -o f.html` writes one file with inline SVG, no external
    URL, and the hire's milestones, ratings, evidence and KPI readings with the target."""
    out = tmp_path / "f.html"
    code, stdout, err = run(url, "packet", HIRE, "--format", "html", "-o", str(out))
    assert code == 0, err
    assert stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.count("<svg") >= 3  # ratings, KPI readings, moods
    for banned in ("http", "src=", "url(", "xmlns"):
        assert banned not in text
    for wanted in (
        "Set up the dev environment and system access",  # a milestone
        "excellent",  # a revealed manager rating
        "regression eval for intents",  # evidence
        KPI_TARGET,
        "PR throughput (LLM domain)",
    ):
        assert wanted in text
    assert PRIVATE_WIN not in text
    assert PRIVATE_NOTE not in text


def test_markdown_to_stdout_in_a_window(url: str) -> None:
    """`--format md` prints Markdown; `--from/--to` bound what it holds."""
    code, out, err = run(
        url, "packet", HIRE, "--format", "md", "--from", "2026-11-01", "--to", "2026-12-31"
    )
    assert code == 0, err
    assert out.startswith("# Review packet: ")
    assert "covers 2026-11-01 to 2026-12-31" in out
    assert "| 2026-11-13 | blocked |" in out
    assert "No revealed ratings in this window." in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--from", "2027-13-01"), 2, "--from '2027-13-01' is not a date"),
        (("--from", "2027-03-01", "--to", "2027-01-01"), 2, "is after --to"),
        (("--format", "pdf"), 2, "'pdf' is not one of"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    url: str, args: tuple[str, ...], code: int, message: str
) -> None:
    """A bad date, a window out of order or an unknown format: exit 2, one line, no traceback."""
    got, out, err = run(url, "packet", HIRE, *args)
    assert got == code
    assert message in err
    assert "Traceback" not in err + out


def test_an_unknown_user_exits_1(url: str) -> None:
    """A user with no plan: exit 1 and what to do, never a traceback."""
    code, _, err = run(url, "packet", "UNOBODY")
    assert code == 1
    assert err == "error: UNOBODY has no Onramp plan; enroll them first (onramp enroll).\n"


def test_a_kpi_reading_recorded_from_the_cli_is_in_the_packet_with_its_target(
    database_url: str, tmp_path: Path
) -> None:
    """`onramp kpis select` then `onramp kpis record`: the reading is in the packet, beside the
    blueprint's target quoted."""
    run(database_url, "enroll", HIRE, "--plan", "junior-llm-engineer", "--start", "2027-03-01",
        "--manager", BOSS)  # fmt: skip
    code, _, err = run(
        database_url, "kpis", "select", HIRE, "pr-throughput", "story-cycle-time", "eval-coverage"
    )
    assert code == 0, err
    code, _, err = run(database_url, "kpis", "record", HIRE, "pr-throughput", "7", "--note", "ok")
    assert code == 0, err
    out = tmp_path / "p.html"
    code, _, err = run(database_url, "packet", HIRE, "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert f"<q>{KPI_TARGET}</q>" in text
    assert "<td>7</td><td>within</td><td>ok</td>" in text
    assert "Eval coverage (critical intents)" in text


def test_html_charts_a_single_reading_against_a_target_without_a_number(
    database_url: str, tmp_path: Path
) -> None:
    """One TSR reading (its target states no number) renders as HTML with its chart, no crash."""
    run(database_url, "enroll", HIRE, "--plan", "junior-llm-engineer", "--start", "2027-03-01",
        "--manager", BOSS)  # fmt: skip
    code, _, err = run(
        database_url, "kpis", "select", HIRE, "PR throughput", "Story cycle time", "TSR"
    )
    assert code == 0, err
    code, _, err = run(database_url, "kpis", "record", HIRE, "TSR", "62%")
    assert code == 0, err
    out = tmp_path / "f.html"
    code, _, err = run(database_url, "packet", HIRE, "--format", "html", "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "Task success rate (TSR): readings by period" in text
    assert "<td>62</td><td>not judged (no number in the target)</td>" in text
