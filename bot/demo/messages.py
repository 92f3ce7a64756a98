"""Every sentence the demo says (transcript, REPL help and mistakes), in one place."""

from __future__ import annotations

TITLE = "Onramp demo — a new hire's first 90 days, through the real app"
INTERACTIVE_TITLE = "Onramp demo (interactive) — the same world, driven by you"
WORKSPACE = "Workspace {team} (a simulated Slack on 127.0.0.1) · plan {plan} v{version}"
PERSONA = "{full_name:<12} {role:<9} {city} ({tz})"
BACKEND = "Answers: offline extractive backend — quotes the blueprint, no network, no key."
BACKEND_KEY_IGNORED = (
    "Answers: offline extractive backend — ANTHROPIC_API_KEY is set but the demo ignores it and "
    "never calls the network."
)
DATABASE = "Database: a temporary SQLite file, deleted when the demo ends."
CLOCK = "Time is simulated; the check-in engine's tick runs as the clock moves."

BEFORE_START = "Before day 1"
DAY = "Day {day}"

# Transcript entry headers.
HEAD_DID = "{who} ({role})"
HEAD_DM = "Onramp → {who} · DM"
HEAD_THREAD = "Onramp → {who} · in thread"
HEAD_CHANNEL = "Onramp · in a channel"
HEAD_PRIVATE = "Onramp → {who} · only {who} sees this"
HEAD_UPDATE = "{who}'s message updated in place"
HEAD_HOME_UPDATE = "{who}'s App Home updated"
HEAD_MODAL = "Modal opens for {who}"
HEAD_HOME = "{who}'s App Home"
UNCHANGED = "(nothing visible changed)"
MORE = "…"

OPENS_HOME = "opens Onramp's Home tab"
CLICKS = "clicks [ {label} ]"
PICKS = "picks [ {option} ▾ ] for “{row}”"
SUBMITS = "types “{text}” and presses [ Save ]"
FILLS = "rates {picks}, writes “{text}” beside each, and presses [ Submit ]"
MODAL_ERRORS = "The modal says: {problems}"
NO_HOME = "(no Home tab was published)"

# Story narration.
STORY_ENROLL = "Marco, an engineering manager, is about to welcome Ana to the team."
STORY_DAY1 = (
    "Ana's first day. Onramp greets her at 09:30 her time; Priya and Marco get their Monday "
    "digests."
)
STORY_PULSE = "The first weekly check-in. Ana's GPU quota hasn't come through, so she says so."
STORY_QUESTIONS = (
    "Ana has questions about the role. She asks Onramp instead of digging through the wiki."
)
STORY_QUIET_WEEKS = "Weeks two to four: Ana answers each check-in with one click."
STORY_REVIEW = "The day-30 review is due. Ana sets each milestone's status right in the message."
STORY_MANAGER = "Marco checks in on his team."
STORY_SILENT = "Ana goes heads-down on a launch and stops answering. Onramp notices."
STORY_BACK = "Ana surfaces and answers."
STORY_DAY60 = "The day-60 heads-up arrives three working days before the review."
STORY_WIN = (
    "Ana ships a win and logs it with /onramp win, shared with her manager and mentor; "
    "she keeps answering her weekly check-ins."
)
STORY_GROWTH = (
    "The first growth check-in comes with the 90-day review (day 90 was a Saturday). Ana and "
    "Marco each rate her on the blueprint's rubric, blind: neither sees the other's ratings "
    "until both have submitted."
)
STORY_READINESS = "Marco looks at Ana's growth: ratings, evidence and the blueprint's words."
STORY_PACKET = (
    "For the 90-day conversation Marco pulls Ana's review packet: one HTML file in his DM, with "
    "inline charts and nothing it fetches (onramp packet writes the same file)."
)
STORY_ONE_ON_ONE = (
    "Marco sets a weekly 1:1 with Ana on his own clock and keeps a private note for it. The "
    "working day before, both get a prep DM: his carries the note, which nobody else can read."
)
#: An uploaded file, as the transcript shows it (the file itself stays in the sandbox).
FILE_SHARED = "📎 {title} ({filename}, {size:,} bytes)\n{comment}"

SUMMARY = "Summary"
SUMMARY_SPAN = "Simulated {first} → {last} ({days} days) in {ticks} ticks of the check-in engine"
SUMMARY_SENT = "Messages the bot sent: {total} ({parts})"
SUMMARY_CHECKINS = (
    "Check-ins: {checkins} · mentor nudges: {nudges} · escalations: {escalations} · "
    "reminders: {reminders}"
)
SUMMARY_OTHER = (
    "Updated in place: {updates} · private replies: {private} · App Home views published: {homes}"
)
SUMMARY_ANSWERS = "Questions: {questions} asked, {answers} answered, {cited} with citations"
SUMMARY_REQUESTS = "Requests Slack delivered to the app: {requests} (signed, HTTP on 127.0.0.1)"
SUMMARY_TIME = "Took {seconds:.1f} s. No network, no keys; the temporary database is gone."

KIND_NAMES = {
    "welcome": "welcome",
    "pulse": "weekly check-ins",
    "heads_up": "heads-ups",
    "review": "reviews",
    "reminder": "reminders",
    "mentor_nudge": "mentor nudges",
    "escalation": "escalations",
    "mentor_digest": "mentor digests",
    "manager_digest": "manager digests",
    "enrolled": "enrolled",
    "growth_self": "growth check-ins to the hire",
    "growth_manager": "growth check-ins to the manager",
    "growth_mentor": "growth check-ins to mentors",
    "growth_reminder": "growth reminders",
    "growth_reveal": "side-by-sides",
    "one_on_one_prep": "1:1 preps",
}
OTHER_POSTS = "answers and other replies"


# Problems.
NO_PLANS = (
    "The demo plays the Junior LLM Engineer plan shipped in plans/ and prompts/ of an Onramp "
    "checkout, and they are not next to this installation ({root}). Run it from a clone: "
    "git clone <repository> && cd onramp && uv run onramp demo"
)
SLACK_REFUSED = "Slack refused {method}: {error}"
APP_REFUSED = "The app answered HTTP {status}; see the log above."
NO_TIME_TRAVEL = "Time only moves forward; advance by a positive amount, e.g. advance 2h."

# REPL.
REPL_INTRO = (
    "You are {who}. Type help for what you can do; try: as marco · "
    "/onramp enroll @ana mentor=@priya start=2026-11-02 · advance 3d · as ana · home"
)
PROMPT = "{who} › "
HELP = """What you can do (as the current persona):
  as NAME                 act as someone else: {roster}
  /onramp …               a slash command, e.g. /onramp help, /onramp team, /onramp me,
                          /onramp enroll @ana mentor=@priya start=2026-11-02, /onramp ask …
  click "LABEL"           click a button you can see, e.g. click "On track", click "Add a note"
  pick "OPTION" [for "ROW"]   choose in a menu, e.g. pick "Done" for "dev environment"
  note TEXT               type TEXT into the open modal and submit it
  rate "LEVELS" COMMENT   fill in a growth check-in's open modal: levels in the rubric's
                          order, e.g. rate "acceptable, excellent" Solid work (the last repeats)
  home                    open your App Home tab
  advance 7d | 2h | 30m   let time pass (check-ins go out as it does); also 1w
  now                     the time for everyone
  who                     the people in this workspace
  help                    this list
  quit                    leave (also Ctrl-D)
Anything else is a DM to Onramp (ask it about the role: "What are the 60-day goals?")."""
NOW_LINE = "{name:<6} {local:%a %d %b %Y %H:%M %Z}"
YOU_ARE = "You are now {name} ({role}, {city})."
UNKNOWN_PERSONA = "There is nobody called {name!r} here; pick one of: {choices}."
UNKNOWN_COMMAND = "{command} is not a command here; slash commands start with {slash}."
NO_SUCH_BUTTON = (
    "No button labelled {label!r} in your recent messages or Home. You can click: {seen}."
)
NOTHING_TO_CLICK = "nothing yet (wait for a check-in: advance 7d)"
NO_SELECTS = "There is no menu to pick from in your recent messages or Home; open it with: home"
WHICH_ROW = 'There are {count} menus here; say which with: pick "OPTION" for "ROW". Rows: {rows}'
NO_SUCH_ROW = "No menu beside {row!r}. Rows: {rows}"
NO_SUCH_OPTION = "No option {option!r} in that menu; choose one of {options}."
NO_MODAL = 'You have no modal open; click a button that opens one first (click "Add a note").'
BAD_ADVANCE = "advance needs an amount like 7d, 2h, 30m or 1w (got {text!r})."
TOO_FAR = "Advance at most {limit} days at a time."
USAGE = {
    "as": "as NAME — e.g. as ana",
    "click": 'click "LABEL" — e.g. click "On track"',
    "pick": 'pick "OPTION" [for "ROW"] — e.g. pick "Done" for "dev environment"',
    "note": "note TEXT — e.g. note Waiting on VPN access",
    "advance": "advance AMOUNT — e.g. advance 7d",
    "rate": 'rate "LEVELS" COMMENT — e.g. rate "acceptable, below bar" Learning fast',
}
BAD_QUOTES = "Unbalanced quotes in {line!r}; close the quote and try again."
BYE = "Bye. The temporary database is gone."
