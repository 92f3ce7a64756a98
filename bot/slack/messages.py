"""Every string a person sees in Slack, in one place; each one says what to do next.

Templates use ``str.format`` fields; ``{cmd}`` is the slash command as configured (``/onramp``).
The important ones are tested word for word in ``tests/slack/test_messages.py``.
"""

from __future__ import annotations

# --- /onramp usage --------------------------------------------------------------------------

#: One usage line per subcommand, in the order help lists them.
USAGE: dict[str, str] = {
    "help": "{cmd} help",
    "me": "{cmd} me",
    "progress": "{cmd} progress @user",
    "team": "{cmd} team",
    "mentees": "{cmd} mentees",
    "enroll": "{cmd} enroll @user [plan=ID] [start=YYYY-MM-DD] [mentor=@user]",
    "pause": "{cmd} pause @user",
    "resume": "{cmd} resume @user",
    "complete": "{cmd} complete @user",
    "withdraw": "{cmd} withdraw @user",
    "mark": "{cmd} mark [@hire] <milestone> <status> [note]",
    "holidays": "{cmd} holidays [@user] [country]",
    "plans": "{cmd} plans",
}

#: What each subcommand does, shown beside its usage line in help.
SUMMARY: dict[str, str] = {
    "help": "this list",
    "me": "your own plan: phases, progress and what's next",
    "progress": "a hire's progress (their manager, mentors and admins only)",
    "team": "everyone you manage, at a glance (admins: every other open plan too)",
    "mentees": "everyone you mentor, at a glance",
    "enroll": "put a hire on a plan; you become their manager of record",
    "pause": "pause a hire's plan (check-ins stop until resumed)",
    "resume": "resume a paused plan",
    "complete": "mark a hire's plan as completed",
    "withdraw": "take a hire off their plan (asks you to confirm first)",
    "mark": (
        "set a milestone on your plan, or on a hire's you manage: not_started, in_progress, "
        "done, blocked or skipped"
    ),
    "holidays": (
        "whose public holidays your check-ins (or your hire's) skip: US, GB, DE-BY…, "
        "or none for the workspace default; without a country, the current setting"
    ),
    "plans": "the plans you can enroll hires on",
}

HELP_TITLE = "Onramp: from day 1 to month 12"
HELP_INTRO = (
    "Onramp turns a role blueprint into a plan in Slack. Everything below replies only to you."
)
HELP_FOOTER = "Your plan is also on the Onramp *Home* tab. Replies here are visible only to you."
EXTRA_SUMMARY_FALLBACK = "see `{cmd} help`"

UNKNOWN_SUBCOMMAND = "I don't know `{cmd} {word}`."
DID_YOU_MEAN = "Did you mean `{usage}`?"
SEE_HELP = "Type `{cmd} help` to see everything I can do."
USAGE_LINE = "Usage: `{usage}`"

MISSING_USER = "Say whose plan: mention them, like `{usage}`."
EXTRA_ARGUMENTS = "I didn't understand `{extra}`."
# One rule for mentions a command can't use, anywhere in it but a note: refuse, say which, and
# say that nothing was done. Broadcasts and groups are named in words, never echoed as mentions.
EXTRA_PERSON = (
    "This command is for one person, and {user} would be a second: run it once for each"
    "{hint}. Nothing was changed."
)
EXTRA_PERSON_ENROLL = ", or write `mentor={user}` to make them a mentor"
BROADCAST_REFUSED = (
    "A channel-wide mention (*{name}*) would notify everyone, and Onramp never does that: "
    "remove it and run the command again. Nothing was changed."
)
GROUP_REFUSED = (
    "*{name}* is a user group, and Onramp never notifies a group: mention one person from the "
    "@ autocomplete instead. Nothing was changed."
)
CHANNEL_REFUSED = (
    "{channel} is a channel, not a person: mention someone from the @ autocomplete instead. "
    "Nothing was changed."
)
A_USER_GROUP = "a user group"
PICK_FROM_AUTOCOMPLETE = (
    "I can't tell who `{name}` is. Pick them from the @ autocomplete as you type, so Slack "
    "sends me the person rather than a name."
)
BAD_DATE = "`start={value}` is not a date; use YYYY-MM-DD, e.g. start=2026-03-02."
BAD_PLAN_ID = (
    "`plan={value}` is not a plan id; ids are lower-case words joined by '-'. "
    "See them with `{cmd} plans`."
)
UNKNOWN_OPTION = "`{option}=` is not an option here; use plan=, start= or mentor=."
REPEATED_OPTION = "`{option}=` is given twice; give it once."
NOT_A_PERSON = "<@{user}> is an app, not a person: only people can be hires or mentors."
DEACTIVATED = (
    "<@{user}>'s Slack account is deactivated. Pick someone who is still in the workspace."
)
MISSING_MILESTONE = "Say which milestone and its new status, like `{usage}`."
MISSING_STATUS = (
    "Say the new status of `{milestone}`: not_started, in_progress, done, blocked or skipped."
)

# --- replies ----------------------------------------------------------------------------------

ENROLLED = (
    "Enrolled <@{hire}> on *{plan}* (v{version}) from {start}. You're their manager of record"
    "{mentors}. They'll see their plan on the Onramp Home tab."
)
ENROLLED_MENTORS = "; mentor: {mentors}"
ENROLLED_DAY_ONE = ":calendar: {note}"
ZONE_UNKNOWN = (
    "Slack gives <@{hire}> the time zone `{unknown}`, which this server's time-zone database "
    "doesn't know yet, so their check-ins follow the workspace default ({zone}) until an "
    "operator updates it (the `tzdata` package)."
)
LIFECYCLE_DONE = {
    "pause": "Paused the plan of <@{hire}>. Check-ins stop until you `{cmd} resume` it.",
    "resume": "Resumed the plan of <@{hire}>; check-ins start again.",
    "complete": "Marked the plan of <@{hire}> as completed. Congratulations to them!",
    "withdraw": (
        "Withdrew <@{hire}> from their plan. It stays on record; enroll them again anytime."
    ),
}
MARKED = "*{title}* is now _{status}_."
MARKED_WITH_NOTE = "*{title}* is now _{status}_, with your note."
MARKED_FOR = "*{title}* on <@{hire}>'s plan is now _{status}_."
MARKED_FOR_WITH_NOTE = "*{title}* on <@{hire}>'s plan is now _{status}_, with your note."
NOTE_BROADCASTS_REMOVED = (
    "I left {names} out of the note: Onramp never notifies a whole channel or group. "
    "Mention people by name if they should read it."
)
NOTE_BROADCAST_NAMES = {"group": "the user group mention"}
NOTE_BROADCAST_NAME = "the *{name}* mention"
HOLIDAYS_CHANGED = "Done: {whose} check-ins now {calendar}."
HOLIDAYS_UNCHANGED = "Nothing to change: {whose} check-ins already {calendar}."
HOLIDAYS_WHOSE_OWN = "your"
HOLIDAYS_WHOSE = "<@{user}>'s"
HOLIDAYS_COUNTRY = "skip weekends and public holidays in *{country}*"
HOLIDAYS_WORKSPACE = "follow the workspace calendar: weekends and public holidays in *{country}*"
HOLIDAYS_WEEKENDS = "follow the workspace calendar: weekends only"
HOLIDAYS_CURRENT = "Right now {whose} check-ins {calendar}."
HOLIDAYS_HOW_TO_CHANGE = (
    "To change it: `{cmd} holidays {who}CODE` with an ISO code such as US, GB, DE or DE-BY, "
    "or `{cmd} holidays {who}none` for the workspace calendar."
)
WITHDRAW_CONFIRM = (
    "Withdraw <@{hire}> from *{plan}*? Their check-ins stop at once and nobody can change the "
    "plan any more. It stays on record, and you can enroll them again later."
)
WITHDRAW_BUTTON = "Withdraw"
WITHDRAW_CANCEL_BUTTON = "Cancel"
WITHDRAW_CANCELLED = "Cancelled: nothing was changed."
NO_TEAM = (
    "You don't manage anyone on Onramp yet. Enroll a hire with "
    "`{cmd} enroll @user` and they'll show up here."
)
TEAM_TITLE = "Your team ({count})"
TEAM_OTHERS_TITLE = "Every other open plan ({count})"
TEAM_OTHERS_NOTE = "You see these as an Onramp admin; each line names the manager of record."
TEAM_MANAGER = " · manager {manager}"
TEAM_SEE_MENTEES = "You also mentor {count}: `{cmd} mentees` lists them."
MENTEES_TITLE = "Your mentees ({count})"
NO_MENTEES = (
    "You don't mentor anyone on Onramp. A hire's manager can name you with "
    "`{cmd} enroll @hire mentor=@you`."
)
MENTEES_SEE_TEAM = "You manage {count} too: `{cmd} team` lists them."
HIRES = ("{count} hire", "{count} hires")
TEAM_MORE = "…and {count} more. The Onramp Home tab lists everyone."
NO_PLANS = "No plans are installed yet; ask whoever runs Onramp to add one under plans/."
PLANS_TITLE = "Plans you can enroll hires on"
PLANS_LINE = "*{title}* — `{id}` v{version}, {phases} phases, {milestones} milestones"
PLANS_HINT = "Enroll someone with `{cmd} enroll @user plan=ID`."
NOT_ON_A_PLAN = (
    "You're not on an Onramp plan yet. If you've just joined, ask your manager to run "
    "`{cmd} enroll @you`. Managers: `{cmd} help` shows what you can do."
)

# --- progress rendering -----------------------------------------------------------------------

REPORT_HEADER = "{name} · {plan}"
REPORT_CONTEXT = (
    "Day {day} · started {start} · {percent}% done · manager {manager} · mentors {mentors} · "
    "{status}"
)
REPORT_NOT_STARTED = "Starts {start} · manager {manager} · mentors {mentors} · {status}"
NO_MENTORS = "none"
CURRENT_PHASE = "*Now: {title}* (due {due})"
#: Past the plan: its later phases (``growth.later``), never reviewed (docs/growth.md).
LATER_HEADER = (
    "*After the plan* — from the blueprint; no reviews, the quarterly growth check-in is the "
    "conversation:"
)
LATER_PHASE = "• *{title}* · due {due}: {goals}"
OVERDUE = ":warning: Overdue: {items}"
BLOCKED = ":no_entry: Blocked: {items}"
MILESTONE_LINE = "{icon} {title} `{id}`{note}"
NOTE_SUFFIX = " — _{note}_"
TEAM_LINE = "*{name}* — day {day} · {phase} · {percent}% done · mood {mood}{flags}"
TEAM_LINE_NOT_STARTED = "*{name}* — starts {start}{flags}"
NO_MOOD = "—"
FLAG_BLOCKED = "blocked ({count})"
FLAG_OVERDUE = "overdue ({count})"
FLAG_PAUSED = "paused"
FLAGS_PREFIX = " · :warning: "
MOODS = {"on_track": "on track", "at_risk": "at risk", "blocked": "blocked"}
LAST_CHECKIN = "Last check-in: {what}{note}"
LAST_CHECKIN_MOODS = {"on_track": "✅ On track", "at_risk": "⚠️ At risk", "blocked": "⛔ Blocked"}
LAST_CHECKIN_NOTE = " — “{note}”"
TRUNCATED = "…and {count} more."

# --- App Home ---------------------------------------------------------------------------------

HOME_WELCOME = "Welcome to Onramp"
HOME_NOTHING = (
    "Onramp walks new hires through their first year: a plan drawn from their role's blueprint, "
    "check-ins in DMs, and progress their manager and mentor can see."
)
HOME_NOTHING_HIRE = "*New here?* Ask your manager to enroll you; your plan will appear on this tab."
HOME_NOTHING_MANAGER = (
    "*Managing a new hire?* Run `{cmd} enroll @user` and you'll see them here. "
    "`{cmd} help` lists everything."
)
HOME_MY_PLAN = "Your plan"
HOME_PHASES = "Phases"
HOME_CURRENT_MILESTONES = "*{title}* — set each milestone as you go (due {due})"
HOME_NEXT_CHECKIN = ":calendar: Check-ins start on {date}."
HOME_NEXT_CHECKIN_SOON = ":calendar: Next check-in: {when}."
HOME_PLAN_ENDED = "This plan is {status}. Your manager can enroll you on a new one."
HOME_PLAN_PAUSED = ":double_vertical_bar: Your plan is paused; your manager can resume it."
HOME_TEAM = "Your team"
HOME_MENTEES = "Your mentees"
HOME_OTHERS = "Every other open plan"
HOME_UPDATED = "Updated {when}"
STATUS_PLACEHOLDER = "Set status"

# --- errors -----------------------------------------------------------------------------------

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side. Try again in a minute; "
    "if it keeps happening, tell whoever runs Onramp (reference {ref})."
)
SLACK_UNAVAILABLE = "Slack didn't answer in time; try again in a minute."
INACTIVE_CONTROL = (
    "This button is no longer active: it's from an earlier version of Onramp. "
    "Type `{cmd} help` to see what you can do now, or open the Onramp Home tab."
)
