"""Every sentence the answer service says to a person, in one place (tested word for word).

Plain text with light Slack mrkdwn (``*bold*``, ``•`` bullets) that reads fine on a terminal too.
"""

from __future__ import annotations

from bot.domain.progress import EnrollmentStatus, MilestoneStatus, MilestoneView, PhaseView
from bot.services.onboarding import EnrollmentReport

EMPTY_QUESTION = "Ask a question, e.g. “What are the 60-day goals?”"

ASK_MENTOR = "Your mentor or manager is the best person to ask about that."

NOT_IN_BLUEPRINT = (
    "I couldn't find that in the {role} blueprint, so I'd rather not guess. " + ASK_MENTOR
)

OFF_TOPIC = {
    "pay": "Pay and compensation aren't part of the {role} blueprint. Please ask your manager "
    "or HR.",
    "leave": "Time off and holidays aren't covered by the {role} blueprint. Please ask your "
    "manager or HR.",
    "benefits": "Benefits aren't covered by the {role} blueprint. Please ask your manager or HR.",
    "remote": "Where and when you work isn't covered by the {role} blueprint. Please ask your "
    "manager.",
    "workplace": "Workplace admin (expenses, rooms, HR paperwork) isn't covered by the {role} "
    "blueprint. " + ASK_MENTOR,
    "facilities": "Office and day-to-day logistics aren't covered by the {role} blueprint. "
    + ASK_MENTOR,
    "small_talk": "I only answer questions about the {role} role and your onboarding plan. "
    + ASK_MENTOR,
    "coding_help": "I can't help with general coding questions; I answer questions about the "
    "{role} role and your onboarding plan. Your mentor is a great person to pair with on code.",
    "company": "The {role} blueprint describes the role in general, not this company's own "
    "names, links, channels, calendar or numbers, so I can't look that up. " + ASK_MENTOR,
}

INJECTION = (
    "I only answer questions about the {role} role from its blueprint, and I don't follow "
    "instructions written inside questions. Try asking about the role itself, for example "
    "“What are the 60-day goals?”"
)

NO_ACTIONS = (
    "I only answer questions about the {role} role and your onboarding plan; I can't post, send "
    "or write messages for anyone. Try asking about the role itself, for example “What are the "
    "60-day goals?”"
)

OTHER_PERSON = (
    "I can only talk about your own plan. If you manage or mentor the hire, "
    "`/onramp progress @hire` shows their plan and progress."
)

GREETING = (
    "Hi! I answer questions about the {role} role and your onboarding plan. Try “What should I "
    "focus on this week?” or “What are the 60-day goals?”"
)

THANKS = (
    "You're welcome! Ask me anything else about the {role} role or your plan whenever you need."
)

NOISE = (
    "I couldn't make out a question in that. Ask about the {role} role or your plan in words, "
    "for example “What are the 60-day goals?”"
)

NOT_ENROLLED = (
    "You're not on an Onramp plan yet, so I can't tell you about your own progress. Ask your "
    "manager to enroll you; meanwhile I can answer questions about the {role} role."
)

#: Instead of NOT_ENROLLED when the asker's latest plan has ended, by how it ended.
PLAN_ENDED = {
    EnrollmentStatus.WITHDRAWN: (
        "Your Onramp plan was withdrawn, so there is nothing on it for you to do. If you "
        "didn't expect that, ask your manager: they can enroll you again. Meanwhile I can "
        "answer questions about the {role} role."
    ),
    EnrollmentStatus.COMPLETED: (
        "You've completed your Onramp plan, so there is nothing left on it to do. "
        "Congratulations! Your manager can enroll you on a new plan, and I can still answer "
        "questions about the {role} role."
    ),
}

#: "What is X?" for a term the blueprint uses without saying what it is, or never uses.
UNDEFINED_TERM = (
    "The {role} blueprint uses “{term}” but doesn't define it; here is where it comes up. For "
    "what it means, ask your mentor or a senior engineer on your team."
)
UNMENTIONED_TERM = (
    "The {role} blueprint doesn't mention “{term}”, so I can't say what it means for this role. "
    + ASK_MENTOR
)

INTRO = "From the {role} blueprint:"

#: Added to an answer Claude stopped writing at its length limit (``max_tokens``).
CUT_OFF = "_(This answer was cut off at its length limit; ask about one part of it for the rest.)_"

#: Claude declined to answer (``stop_reason: refusal``).
DECLINED = "Claude declined to answer that question. " + ASK_MENTOR


def fallback_note(sentence: str) -> str:
    """The line appended to an offline answer given in Claude's place: ``_(sentence)_``."""
    return f"_({sentence})_"


FALLBACK_NOTE = fallback_note(
    "Claude is unavailable right now, so this answer quotes the blueprint directly."
)

WHICH_MILESTONE = (
    "Which milestone do you mean? {options}\n"
    "Say for example “mark {example} as {status}”, or use `/onramp mark {example} {status}`."
)

NO_MILESTONE = (
    "I couldn't tell which milestone “{subject}” is. See your milestones and their ids with "
    "`/onramp me`, then say “mark <id> as {status}”."
)

STATUS_WORDS = {
    MilestoneStatus.NOT_STARTED: "not started",
    MilestoneStatus.IN_PROGRESS: "in progress",
    MilestoneStatus.DONE: "done",
    MilestoneStatus.BLOCKED: "blocked",
    MilestoneStatus.SKIPPED: "skipped",
}


def not_enrolled(report: EnrollmentReport | None, role: str) -> str:
    """Why there is no plan to answer from: never enrolled, or the plan was withdrawn or
    completed (an open plan never gets here)."""
    if report is not None and report.status in PLAN_ENDED:
        return PLAN_ENDED[report.status].format(role=role)
    return NOT_ENROLLED.format(role=role)


def cite_line(text: str, number: int, heading: str) -> str:
    """One quoted passage and where it comes from."""
    return f"• {text} (§{number} {heading})"


def milestone_line(m: MilestoneView) -> str:
    """A milestone with its id and, unless untouched, its status and note."""
    status = "" if m.status is MilestoneStatus.NOT_STARTED else f" — {STATUS_WORDS[m.status]}"
    note = f" ({m.note})" if m.note else ""
    bullet = "    ◦" if m.parent else "•"
    return f"{bullet} {m.title} `{m.id}`{status}{note}"


def _open(phase: PhaseView) -> list[MilestoneView]:
    items = [m for m in phase.milestones if not m.status.closed]
    blocked = [m for m in items if m.status is MilestoneStatus.BLOCKED]
    return blocked + [m for m in items if m.status is not MilestoneStatus.BLOCKED]


def _standing(report: EnrollmentReport) -> str:
    """``You're on day 12 of X``, or ``X starts Mon 7 Dec`` before day 1 (never day 0 or -3)."""
    s = report.summary
    if s.started:
        return f"You're on {s.day_label} of {report.plan.plan.title}"
    return f"Your plan, {report.plan.plan.title}, {s.day_label}"


def _where(report: EnrollmentReport, phase: PhaseView) -> str:
    return (
        f"{_standing(report)}; the {phase.id} phase "
        f"({phase.title}) is due {phase.due:%Y-%m-%d}, {phase.closed}/{phase.total} closed."
    )


def focus(report: EnrollmentReport, phase_id: str | None = None) -> str:
    """What to work on now: blocked and overdue first, then the phase's open milestones."""
    s = report.summary
    phase = next((p for p in s.phases if p.id == (phase_id or s.current_phase)), s.phases[0])
    lines = [_where(report, phase)]
    overdue = [m for m in s.overdue if m.due < phase.due]
    if overdue:
        lines.append("*Overdue from earlier phases:*")
        lines.extend(milestone_line(m) for m in overdue[:5])
    open_items = _open(phase)
    if open_items:
        lines.append("*Focus on:*")
        lines.extend(milestone_line(m) for m in open_items[:6])
    elif not overdue:
        lines.append("Everything in this phase is closed — nice work. Look ahead to the next one.")
    return "\n".join(lines)


def remaining(report: EnrollmentReport, phase_id: str | None = None) -> str:
    """What is still open in a phase."""
    s = report.summary
    phase = next((p for p in s.phases if p.id == (phase_id or s.current_phase)), s.phases[0])
    open_items = _open(phase)
    lines = [_where(report, phase)]
    if open_items:
        lines.append(f"*Still open for {phase.id}:*")
        lines.extend(milestone_line(m) for m in open_items)
    else:
        lines.append(f"Nothing is left for {phase.id}: every milestone is done or skipped.")
    return "\n".join(lines)


def progress(report: EnrollmentReport, phase_id: str | None = None) -> str:
    """An overview: day, phase, counts, overdue and blocked."""
    s = report.summary
    if phase_id:
        return remaining(report, phase_id)
    lines = [
        f"{_standing(report)}, in the {s.current_phase} phase. "
        f"{s.done} of {s.total} milestones done ({s.percent}% of the plan closed)."
    ]
    for phase in s.phases:
        lines.append(f"• {phase.id}: {phase.closed}/{phase.total} closed, due {phase.due:%Y-%m-%d}")
    if s.overdue:
        lines.append("*Overdue:* " + ", ".join(f"{m.title} `{m.id}`" for m in s.overdue[:6]))
    else:
        lines.append("Nothing is overdue.")
    if s.blocked:
        lines.append("*Blocked:* " + ", ".join(f"{m.title} `{m.id}`" for m in s.blocked))
    return "\n".join(lines)


def marked(title: str, milestone_id: str, status: MilestoneStatus) -> str:
    """Confirmation of a milestone update."""
    tail = {
        MilestoneStatus.DONE: " Nice work!",
        MilestoneStatus.BLOCKED: " Your mentor can help you get unblocked.",
        MilestoneStatus.IN_PROGRESS: "",
        MilestoneStatus.SKIPPED: "",
        MilestoneStatus.NOT_STARTED: "",
    }[status]
    return f"Marked “{title}” `{milestone_id}` as {STATUS_WORDS[status]}.{tail}"
