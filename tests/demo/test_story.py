"""`onramp demo`: the scripted story through the real app, as its transcript shows it."""

from __future__ import annotations

import re

from tests.demo.conftest import Run


def section_after(out: str, marker: str, lines: int = 12) -> str:
    """The ``lines`` lines of the transcript that follow the first line containing ``marker``."""
    rows = out.splitlines()
    start = next(i for i, row in enumerate(rows) if marker in row)
    return "\n".join(rows[start + 1 : start + 1 + lines])


def test_the_demo_exits_zero_without_a_trace(story: Run) -> None:
    """The story plays to the end and exits 0 with nothing on stderr and no stack trace."""
    assert story.code == 0, story.out + story.err
    assert story.err == ""
    assert "Traceback" not in story.out
    assert "⚠ Slack refused" not in story.out


def test_the_demo_leaves_no_files_behind(story: Run) -> None:
    """Neither the working directory nor the temp dir keeps anything: the database is gone."""
    assert list(story.cwd.iterdir()) == []
    assert list(story.tmp.iterdir()) == []


def test_keys_and_settings_in_the_environment_are_ignored(story: Run) -> None:
    """With a key, a database URL and Slack settings exported, answers stay offline and say so."""
    assert "ANTHROPIC_API_KEY is set but the demo ignores it" in story.out
    assert "Claude is unavailable" not in story.out  # no attempt at the (dead) Messages API


def test_days_are_marked_in_the_hires_calendar(story: Run) -> None:
    """A marker opens each day: before the start date, then Day 1 on Monday 2 November 2026."""
    assert "── Before day 1 · Fri 30 Oct 2026 ──" in story.out
    assert "── Day 1 · Mon 2 Nov 2026 ──" in story.out
    days = [int(d) for d in re.findall(r"── Day (\d+) · ", story.out)]
    assert days == sorted(days)
    assert max(days) >= 58  # as far as the day-60 heads-up


def test_the_manager_enrolls_and_the_hire_is_welcomed(story: Run) -> None:
    """Marco's /onramp enroll is acknowledged privately; Ana's welcome DM arrives on day 1."""
    enrolled = section_after(story.out, "▸ /onramp enroll @ana mentor=@priya")
    assert "only Marco sees this" in enrolled
    assert "Enrolled @Ana on Junior LLM Engineer" in enrolled
    welcome = section_after(story.out, "Onramp → Ana · DM 09:30 EST", 2)
    assert "Welcome aboard, Ana!" in welcome


def test_check_ins_are_shown_with_their_buttons(story: Run) -> None:
    """Weekly check-ins are DMs to Ana with their buttons drawn as [ label ]."""
    pulse = section_after(story.out, "Weekly check-in · week 1", 4)
    for label in ("[ ✅ On track ]", "[ ⚠️ At risk ]", "[ ⛔ Blocked ]", "[ 📝 Add a note ]"):
        assert label in pulse
    assert "Weekly check-in · week 4" in story.out


def test_at_risk_with_a_note_nudges_the_mentor(story: Run) -> None:
    """Ana's "At risk" is recorded in place, her note saved, and Priya gets a nudge DM."""
    clicked = section_after(story.out, "clicks [ ⚠️ At risk ]", 3)
    assert "✓ Recorded ⚠️ At risk" in clicked
    noted = section_after(story.out, "presses [ Save ]", 2)
    assert "GPU quota" in noted
    nudge = section_after(story.out, "Onramp → Priya · DM", 200)
    assert "Your mentee needs a hand" in nudge
    first_nudge = section_after(story.out, "Your mentee needs a hand", 1)
    assert "@Ana answered this week's check-in with ⚠️ At risk" in first_nudge


def test_the_review_is_answered_milestone_by_milestone(story: Run) -> None:
    """The day-30 review lists each milestone with a status select; each pick is recorded."""
    review = section_after(story.out, "Onboarding and foundation review · day", 8)
    assert review.count("[ ○ Not started ▾ ]") == 6
    picks = re.findall(r"picks \[ (. [A-Za-z ]+) ▾ \] for “([^”]+)”", story.out)
    assert len(picks) == 6
    for option, milestone in picks:
        assert f"{milestone}  [ {option} ▾ ]" in story.out  # the message shows the new status


def test_the_manager_sees_the_team_and_the_hires_progress(story: Run) -> None:
    """/onramp team lists Ana with her day and percentage; /onramp progress draws bars."""
    team = section_after(story.out, "▸ /onramp team", 4)
    assert "only Marco sees this" in team
    assert "Your team (1)" in team
    assert re.search(r"@Ana — day 31 · day-30 · \d+% done", team)
    progress = section_after(story.out, "▸ /onramp progress @ana", 10)
    assert re.search(r"▓+░* 4/6", progress)


def test_role_questions_get_cited_answers(story: Run) -> None:
    """Both questions (a DM and /onramp ask) are answered with blueprint section citations."""
    dm = section_after(story.out, "“How fast should responses be at the 95th percentile?”", 8)
    assert "Onramp → Ana · DM" in dm.splitlines()[0]
    assert "p95" in dm
    assert re.search(r"§7 KPIs", dm)
    ask = section_after(story.out, "▸ /onramp ask What are the 60-day goals?", 8)
    assert "only Ana sees this" in ask
    assert re.search(r"§6 Goals, Objectives, and Milestones › 60-day goals", ask)


def test_feedback_on_an_answer_is_recorded_in_place(story: Run) -> None:
    """Ana's 👍 on the private answer replaces its buttons with a thank-you, in place."""
    clicked = section_after(story.out, "clicks [ 👍 Helpful ]", 3)
    assert "updated in place" in clicked
    assert "recorded" in clicked.lower()


def test_silence_brings_a_reminder_then_an_escalation(story: Run) -> None:
    """Unanswered check-ins: a reminder to Ana, a nudge to Priya, an escalation to Marco."""
    silent = story.out.split("stops answering", 1)[1]
    assert "Reminder: Weekly check-in" in silent
    assert "hasn't answered the check-in of" in section_after(silent, "Onramp → Priya", 200)
    escalation = section_after(silent, "Onramp → Marco · DM", 200)
    assert "Escalation: Ana" in escalation


def test_the_day_60_heads_up_comes_on_day_58(story: Run) -> None:
    """The heads-up for the day-60 review is among day 58's messages."""
    day58 = story.out.split("── Day 58 ", 1)[1].split("── Day", 1)[0]
    assert "Heads-up: Reliable contributor review coming up" in day58


def test_a_win_is_recorded_with_its_tags_and_audience(story: Run) -> None:
    """Ana's /onramp win is acknowledged privately with its tags and who can see it."""
    win = section_after(story.out, "▸ /onramp win Cut the support bot's p95 latency", 2)
    assert "only Ana sees this" in win
    assert "(debugging-triage, evaluation-mindset)" in win
    assert "you, your manager and your mentors can see it" in win


def test_the_growth_check_in_closes_the_story_blind_then_side_by_side(story: Run) -> None:
    """On the 90-day review's day both raters get a growth DM; after both submit, both get the
    side-by-side with the two-level gap flagged; Marco's /onramp growth shows the ratings."""
    act = story.out.split("── Day 92 ", 1)[1].split("── Summary", 1)[0]
    assert "Onramp → Ana · DM 09:30 EST\n     │ Growth check-in · 90-day" in act
    assert "Onramp → Marco · DM 09:30 PST\n     │ Growth check-in for Ana · 90-day" in act
    assert act.count("│ [ Rate now ]") == 2  # a button in each DM
    before_marco = act.split("Marco (manager)", 1)[0]
    assert "side by side" not in before_marco  # blind until both have submitted
    for who in ("Ana · DM", "Marco · DM"):
        reveal = section_after(act, f"Onramp → {who}", 200).split("Growth check-in · 90-day side")
        assert len(reveal) > 1, who
    flagged = [row for row in act.splitlines() if "⚑ 2 levels apart" in row]
    assert len(flagged) == 2  # one line in each rater's side-by-side
    gap = "Evaluation mindset — self: 1 below bar · manager: 3 excellent"
    assert all(gap in row for row in flagged)
    growth = section_after(act, "▸ /onramp growth @ana", 40)
    assert "only Marco sees this" in growth
    assert re.search(r"Evaluation mindset.*evidence 1", growth)
    assert "self: below bar (90-day) · manager: excellent (90-day)" in growth


def test_the_manager_pulls_the_review_packet_as_one_file_in_his_dm(story: Run) -> None:
    """Marco's /onramp packet @ana acks at once; the HTML file arrives in his DM."""
    packet = section_after(story.out, "▸ /onramp packet @ana", 6)
    assert "Building the review packet of @Ana" in packet
    assert "💬 Onramp → Marco · DM" in packet
    assert re.search(r"📎 Review packet: Ana \(review-packet-U0ANA-\d{4}-\d\d-\d\d\.html", packet)


def test_the_summary_counts_what_the_transcript_shows(story: Run) -> None:
    """The summary's message count equals the bot messages in the transcript; answers are cited."""
    summary = story.out.split("── Summary", 1)[1]
    sent = int(re.search(r"Messages the bot sent: (\d+)", summary).group(1))  # type: ignore[union-attr]
    posts = len(re.findall(r"^  (?:💬|🧵|📣) Onramp", story.out, flags=re.MULTILINE))
    assert sent == posts
    assert re.search(r"Questions: 2 asked, 2 answered, 2 with citations", summary)
    assert re.search(r"mentor nudges: [1-9]", summary)
    assert re.search(r"escalations: [1-9]", summary)
    assert "growth check-ins to the hire 1 · growth check-ins to the manager 1" in summary
    assert "side-by-sides 2" in summary
    assert "No network, no keys" in summary


def test_no_colours_when_stdout_is_not_a_terminal(story: Run) -> None:
    """Piped output carries no ANSI escape codes."""
    assert "\x1b[" not in story.out


def test_the_1_1_prep_reaches_both_with_the_note_for_the_manager_only(story: Run) -> None:
    """Marco's weekly 1:1 names its next meeting on his clock; the working day before, his prep
    carries his private note and Ana's does not."""
    act = story.out.split("▸ /onramp one-on-one @ana", 1)[1]
    assert "Next: Thu 04 Feb 15:00" in act
    preps = act.split("1:1 prep")[1:]
    assert len(preps) >= 2, act[-3000:]
    marcos = [p for p in preps if "Your private notes" in p]
    assert len(marcos) == 1
    assert "eval harness handoff" in marcos[0]
    anas = [p for p in preps if "with your manager" in p]
    assert len(anas) == 1
    assert "eval harness handoff" not in anas[0]
