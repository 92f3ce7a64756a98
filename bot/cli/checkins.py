"""`onramp tick`: run one check-in tick by hand, against the configured Slack or as a dry run."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.app import Container, build
from bot.cli.core import ConfigOption, JsonFlag, app, emit_json, errors, fail
from bot.config import DEFAULT_CONFIG, Settings, load_settings
from bot.domain.dates import check_instant
from bot.jobs.scheduler import CheckinScheduler
from bot.services.checkins import Planned, TickReport
from bot.services.clock import ShiftedClock


def parse_now(text: str) -> datetime:
    """``--now`` as an aware UTC instant; a time without an offset is read as UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            f"--now {text!r} is not an ISO-8601 time; write it like 2026-12-02T16:00:00Z", 2
        ) from None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    check_instant(value, name="--now")
    return value


def attach_slack(container: Container, settings: Settings) -> bool:
    """Give the check-in engine a Slack messenger when a bot token is configured."""
    from bot.slack.delivery import messenger_from_settings

    container.checkins.messenger = messenger_from_settings(settings)
    return container.checkins.messenger is not None


def _print_group(title: str, items: list[Planned], *, with_reason: bool = False) -> None:
    if not items:
        return
    typer.echo(f"{title} ({len(items)}):")
    by_recipient: dict[str, list[Planned]] = defaultdict(list)
    for item in items:
        by_recipient[item.recipient].append(item)
    for recipient, planned in sorted(by_recipient.items()):
        typer.echo(f"  {recipient}")
        for p in planned:
            reason = f" — {p.reason}" if with_reason and p.reason else ""
            when = f" (due {p.local_due})" if p.local_due else ""
            typer.echo(f"    {p.kind.value:<15} {p.key}{when}{reason}")


def _print(report: TickReport) -> None:
    typer.echo(
        f"Tick at {report.now:%Y-%m-%d %H:%M:%S} UTC{' (dry run)' if report.dry_run else ''}"
    )
    if report.dry_run:
        _print_group("Would send", report.would_send)
        _print_group("Would skip", report.skipped, with_reason=True)
        _print_group("Would wait", report.deferred, with_reason=True)
        if not report.would_send:
            typer.echo("Nothing to send.")
        return
    _print_group("Reconciled", report.reconciled, with_reason=True)
    _print_group("Sent", report.sent)
    _print_group("Skipped", report.skipped, with_reason=True)
    _print_group("Deferred", report.deferred, with_reason=True)
    _print_group("Failed", report.failed, with_reason=True)
    if not (report.sent or report.failed or report.deferred):
        typer.echo("Nothing to send.")


@app.command()
def tick(
    now: Annotated[
        str | None,
        typer.Option("--now", metavar="ISO-8601", help="Run as if it were this instant (UTC)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be sent; send and write nothing.")
    ] = False,
    config: ConfigOption = DEFAULT_CONFIG,
    as_json: JsonFlag = False,
) -> None:
    """Run one check-in tick: derive what is due, then send it through Slack."""
    start = parse_now(now) if now else None
    with errors():
        settings = load_settings(Path(config))
        container = build(settings, clock=ShiftedClock(start) if start else None)
        try:
            if not attach_slack(container, settings) and not dry_run:
                raise fail(
                    "SLACK_BOT_TOKEN is not set, so nothing can be sent; set it (and "
                    "SLACK_API_URL for a proxy or the sandbox), or add --dry-run to see what "
                    "would be sent",
                    2,
                )
            report = container.checkins.tick(container.clock.now(), dry_run=dry_run)
        finally:
            container.close()
    if as_json:
        emit_json(report.as_json())
    else:
        _print(report)
    if report.failed:
        raise typer.Exit(1)


def start_checkins(container: Container, settings: Settings) -> CheckinScheduler:
    """For ``onramp serve``: give the engine the Slack messenger and start ticking every minute."""
    attach_slack(container, settings)
    scheduler = CheckinScheduler(container.checkins, purge=container.answers.purge)
    scheduler.start()
    return scheduler
