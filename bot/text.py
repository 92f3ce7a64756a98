"""Plain-text formatting shared by the CLI, Slack messages and the demo transcript."""

from __future__ import annotations

from bot.domain.progress import MilestoneStatus, PhaseView

STATUS_ICONS = {
    MilestoneStatus.NOT_STARTED: "○",
    MilestoneStatus.IN_PROGRESS: "◐",
    MilestoneStatus.DONE: "●",
    MilestoneStatus.BLOCKED: "⛔",
    MilestoneStatus.SKIPPED: "–",
}

STATUS_LABELS = {
    MilestoneStatus.NOT_STARTED: "Not started",
    MilestoneStatus.IN_PROGRESS: "In progress",
    MilestoneStatus.DONE: "Done",
    MilestoneStatus.BLOCKED: "Blocked",
    MilestoneStatus.SKIPPED: "Skipped",
}


def bar(done: int, total: int, width: int = 10) -> str:
    """A progress bar like ``▓▓▓░░░░░░░ 3/10``."""
    filled = 0 if total <= 0 else round(width * min(done, total) / total)
    return f"{'▓' * filled}{'░' * (width - filled)} {done}/{total}"


def phase_line(phase: PhaseView, *, current: bool = False) -> str:
    """One phase as a line: name, bar, due date."""
    marker = "▶" if current else " "
    return f"{marker} {phase.id:<9} {bar(phase.done, phase.total)}  due {phase.due:%Y-%m-%d}"
