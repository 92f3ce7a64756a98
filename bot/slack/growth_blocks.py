"""Growth in Slack: every string of ``/onramp win``, ``/onramp growth``, ``/onramp paths`` and the
Growth section on App Home, and pure functions from the growth service's views to what is shown.

Nothing here calls Slack or the database. Evidence text is the person's own; it is escaped
(:func:`bot.slack.blocks.esc`) so nothing a hire typed can form a mention or a broadcast.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.plan import CareerPath, LoadedPlan
from bot.services.growth import Citation, EvidenceView, Item, Readiness
from bot.slack.blocks import Block, Reply, context, esc, header, packed, text_reply

WIN_USAGE = "{cmd} win <what happened> [tag=ID]… [link=URL] [visibility=private|manager|mentors]"
WIN_SUMMARY = "log a win as evidence of growth, tagged to your plan's rubric or skills"
GROWTH_USAGE = "{cmd} growth [@user]"
GROWTH_SUMMARY = "coverage per rubric dimension and promotion criterion, in the blueprint's words"
PATHS_USAGE = "{cmd} paths"
PATHS_SUMMARY = "the next and adjacent roles of your plan, from its blueprint"

WIN_EMPTY = (
    "Say what happened and why it mattered, e.g. `{cmd} win Built the golden eval set that "
    "caught a regression tag=evaluation-mindset`."
)
WIN_RECORDED = "Recorded your win #{id} ({tags}); {seen}."
WIN_UNTAGGED = "untagged: add `tag=ID` next time; `{cmd} growth` lists the ids"
WIN_SEEN = {
    "private": "only you can see it",
    "manager": "you and your manager can see it",
    "mentors": "you, your manager and your mentors can see it",
}
WIN_FOR_SOMEONE = "Recorded a win #{id} for <@{user}> ({tags}); {seen}."
WIN_SEEN_FOR = {
    "private": "only <@{user}> can see it",
    "manager": "<@{user}> and their manager can see it",
    "mentors": "<@{user}>, their manager and their mentors can see it",
}
GROWTH_ONE_PERSON = "Name one person, e.g. `{cmd} growth @ana` (or nothing for your own)."
PICK_PERSON = "Pick the person from the autocomplete: type @ and choose them from the list."
GROWTH_TITLE = "*Growth of <@{user}>* on {plan}"
GROWTH_NO_RATINGS = "No ratings yet: the growth check-ins record them. Below: evidence so far."
GROWTH_RUBRIC = "*Rubric* — from {heading}"
GROWTH_PROMOTION = "*Promotion criteria* — from {heading}"
GROWTH_ITEM = "• *{title}* `{id}` — evidence {count} ({corroborated} corroborated)"
GROWTH_TOP_LEVEL = "     {label}: “{anchor}”"
GROWTH_MILESTONES = "*Milestones:* {done} of {total} done"
GROWTH_NEXT = "*Worth a conversation*"
PATHS_TITLE = "*Where the {plan} role leads* — from {heading}"
PATHS_NONE = "The {plan} plan names no next or adjacent roles."
PATHS_KIND = {"next": "Next step", "adjacent": "Adjacent path"}
HOME_GROWTH = "Growth"
HOME_GROWTH_ITEM = "• *{title}* — evidence {count}"
HOME_GROWTH_HINT = (
    "`{cmd} growth` shows the blueprint's words and what is worth a conversation; "
    "`{cmd} win … tag=ID` logs a win."
)


def win_reply(view: EvidenceView, *, cmd: str, hire: str | None) -> Reply:
    """What the person who logged a win hears: its number, tags and who can see it."""
    tags = ", ".join(f"`{t}`" for t in view.tags) or WIN_UNTAGGED.format(cmd=cmd)
    seen = WIN_SEEN[view.visibility.value]
    if hire is None:
        return text_reply(WIN_RECORDED.format(id=view.id, tags=tags, seen=seen))
    seen = WIN_SEEN_FOR[view.visibility.value].format(user=hire)
    return text_reply(WIN_FOR_SOMEONE.format(id=view.id, user=hire, tags=tags, seen=seen))


def growth_reply(view: Readiness, *, plan_title: str) -> Reply:
    """The readiness view: per dimension and criterion the evidence and the blueprint's top
    level, milestones done, and the gaps; no percentage and no verdict."""
    lines = [GROWTH_TITLE.format(user=view.user, plan=esc(plan_title)), GROWTH_NO_RATINGS]
    lines += _items(GROWTH_RUBRIC, view.dimensions)
    lines += _items(GROWTH_PROMOTION, view.promotion)
    lines += ["", GROWTH_MILESTONES.format(done=view.milestones_done, total=view.milestones_total)]
    if view.next_steps:
        lines += [
            "",
            GROWTH_NEXT,
            *(f"• {esc(s.text)} ({_cited(s.source)})" for s in view.next_steps),
        ]
    return text_reply("\n".join(lines))


def home_growth_blocks(view: Readiness, *, cmd: str) -> list[Block]:
    """The compact Growth section of a hire's own Home: evidence per rubric dimension and
    milestones done, pointing to ``growth`` and ``win``; no percentage and no verdict."""
    lines = [
        HOME_GROWTH_ITEM.format(title=esc(d.title), count=d.evidence.count) for d in view.dimensions
    ]
    lines.append(GROWTH_MILESTONES.format(done=view.milestones_done, total=view.milestones_total))
    return [header(HOME_GROWTH), *packed(lines), context(HOME_GROWTH_HINT.format(cmd=cmd))]


def _items(heading: str, items: Sequence[Item]) -> list[str]:
    if not items:
        return []
    lines = ["", heading.format(heading=esc(items[0].source.heading))]
    for item in items:
        lines.append(
            GROWTH_ITEM.format(
                title=esc(item.title),
                id=item.id,
                count=item.evidence.count,
                corroborated=item.evidence.corroborated,
            )
        )
        if item.levels:
            top = item.levels[-1]
            lines.append(
                GROWTH_TOP_LEVEL.format(label=esc(top["label"]), anchor=esc(top["anchor"]))
            )
        elif item.detail:
            lines.append(f"     “{esc(item.detail)}”")
    return lines


def paths_reply(loaded: LoadedPlan, paths: Sequence[CareerPath], cite: Citation | None) -> Reply:
    """``/onramp paths``: each role in the blueprint's words, next steps first, cited."""
    title = esc(loaded.plan.title)
    if not paths or cite is None:
        return text_reply(PATHS_NONE.format(plan=title))
    lines = [PATHS_TITLE.format(plan=title, heading=esc(cite.heading))]
    for path in sorted(paths, key=lambda p: p.kind != "next"):
        detail = f" — {esc(path.detail)}" if path.detail else ""
        lines.append(f"• *{esc(path.title)}* ({PATHS_KIND[path.kind]}){detail} `{path.source}`")
    return text_reply("\n".join(lines))


def _cited(source: Citation) -> str:
    return f"§{source.section}" if source.section is not None else source.id
