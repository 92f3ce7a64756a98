"""A review packet as one self-contained HTML file, or as Markdown.

The HTML fetches nothing, ever: its CSS is inline (with ``@media print`` so it reads printed),
its charts are inline SVG (no ``xmlns`` URL: HTML5 does not need one), and it has no script,
image, stylesheet link, font or ``url(…)``. Web addresses — evidence and KPI links, and any
address inside someone's text — are printed as text without their scheme
(``example.slack.com/archives/…``): nothing in the file is a link a viewer would follow or
fetch, and a grep for ``http`` over the file finds nothing. Every user and blueprint text is
escaped (:func:`html.escape`). The Markdown has the same content with tables instead of
charts, and keeps links whole (a Markdown file is read as text; its links are for the reader).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from bot.services.growth_rounds import Side
from bot.services.packet import (
    MOOD_LEVEL,
    MOOD_WORDS,
    DimensionSection,
    EvidenceLine,
    KpiSection,
    MoodPoint,
    Packet,
)

_SCHEME = re.compile(r"\b[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SELF, _MANAGER = "#2b6cb0", "#c05621"


def strip_scheme(text: str) -> str:
    """``https://example.com/a`` → ``example.com/a`` (anywhere in ``text``)."""
    return _SCHEME.sub("", text)


def _h(text: object) -> str:
    """Text for HTML: schemes dropped, then escaped."""
    return html.escape(strip_scheme(str(text)), quote=True)


def _value(value: float) -> str:
    return f"{value:g}"


# --- HTML ---------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a202c;
margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;border-bottom:2px solid #e2e8f0;
padding-bottom:.2rem;margin-top:2rem}h3{font-size:1rem;margin:1.2rem 0 .3rem}
.meta{color:#4a5568}.muted{color:#718096}.note{background:#fffbea;border-left:4px solid #d69e2e;
padding:.4rem .7rem;margin:.5rem 0}table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{border:1px solid #e2e8f0;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f7fafc}.tag{font-size:.8rem;color:#4a5568}svg{max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:1rem}.chip{display:inline-block;width:.8rem;
height:.8rem;margin-right:.3rem;vertical-align:middle}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}
section,table,svg{break-inside:avoid}.noprint{display:none}}
"""


def render_html(packet: Packet) -> str:
    """The packet as one self-contained HTML document."""
    p = packet
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Review packet: {_h(p.hire_name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Review packet: {_h(p.hire_name)}</h1>",
        f'<p class="meta">{_h(p.plan_title)} · manager {_h(p.manager_name or "—")} · '
        f"on the plan since {p.start.isoformat()} · this packet covers "
        f"{p.since.isoformat()} to {p.until.isoformat()}</p>",
    ]
    if p.preview:
        parts.append(
            '<p class="note">Preview: this is what your manager sees when they pull your '
            "packet. Private evidence and anyone's private notes are never in it.</p>"
        )
    parts += _html_comment(p)
    parts += _html_milestones(p)
    parts += _html_dimensions(p)
    parts += _html_kpis(p)
    parts += _html_focus(p)
    parts += _html_moods(p)
    parts += _html_citations(p)
    parts.append(
        f'<p class="muted">Generated {p.generated_at:%Y-%m-%d %H:%M} UTC by Onramp. No '
        "readiness score and no ranking: ratings, evidence and KPIs are signals for a "
        "conversation.</p></body></html>"
    )
    return "\n".join(parts) + "\n"


def _html_comment(p: Packet) -> list[str]:
    if p.comment is None:
        return []
    return [
        "<section><h2>The hire's comment</h2>",
        f"<blockquote>{_h(p.comment.text)}</blockquote>",
        f'<p class="muted">Added {p.comment.on.isoformat()}</p></section>',
    ]


def _html_milestones(p: Packet) -> list[str]:
    out = ["<section><h2>Milestones by phase</h2>"]
    for phase in p.phases:
        out.append(
            f"<h3>{_h(phase.title)} — due {phase.due.isoformat()} "
            f'<span class="muted">({phase.done} of {len(phase.milestones)} done)</span></h3>'
        )
        out.append("<table><tr><th>Milestone</th><th>Status</th><th>Due</th><th>Done</th></tr>")
        for m in phase.milestones:
            done = m.done_on.isoformat() if m.done_on else "—"
            status = m.status.replace("_", " ")
            title = f"↳ {_h(m.title)}" if m.parent else _h(m.title)
            out.append(
                f"<tr><td>{title}</td><td>{_h(status)}</td>"
                f"<td>{m.due.isoformat()}</td><td>{done}</td></tr>"
            )
        out.append("</table>")
    out.append("</section>")
    return out


def _html_dimensions(p: Packet) -> list[str]:
    out = ["<section><h2>Ratings and evidence by dimension</h2>"]
    out.append(
        '<p class="legend"><span><i class="chip" style="background:'
        f'{_SELF}"></i>self</span><span><i class="chip" style="background:{_MANAGER}">'
        "</i>manager</span> Only rounds both sides can see are shown.</p>"
    )
    if p.blind_rounds:
        out.append(
            f'<p class="note">Still blind: the {_h(", ".join(p.blind_rounds))} round. Its '
            "ratings appear once both have submitted or the round closes.</p>"
        )
    for d in p.dimensions:
        out.append(f"<h3>{_h(d.title)}</h3>")
        out.append(
            f'<p class="muted">Levels: {_h(" → ".join(d.levels))} · {_h(d.source.heading)}</p>'
        )
        if d.ratings:
            out.append(_ratings_svg(d))
            out.append("<table><tr><th>Round</th><th>Self</th><th>Manager</th></tr>")
            for point in d.ratings:
                out.append(
                    f"<tr><td>{_h(point.label)}</td><td>{_side_html(point.self_side)}</td>"
                    f"<td>{_side_html(point.manager_side)}</td></tr>"
                )
            out.append("</table>")
        else:
            out.append('<p class="muted">No revealed ratings in this window.</p>')
        if d.evidence:
            out.append(_evidence_html(d.evidence))
        else:
            out.append(f'<p class="note">Not yet: {_h(d.not_yet or "")}</p>')
    if p.other_evidence:
        out.append("<h3>Other evidence (skills, milestones, untagged)</h3>")
        out.append(_evidence_html(p.other_evidence))
    out.append("</section>")
    return out


def _side_html(side: Side | None) -> str:
    if side is None:
        return "—"
    text = _h(side.label)
    if side.comment:
        text += f"<br><q>{_h(side.comment)}</q>"
    return text


def _evidence_html(items: Iterable[EvidenceLine]) -> str:
    rows = ["<ul>"]
    for e in items:
        link = f' <span class="tag">[{_h(e.link)}]</span>' if e.link else ""
        confirmed = " · corroborated" if e.corroborated else ""
        tags = f' <span class="tag">({_h(", ".join(e.tags))})</span>' if e.tags else ""
        rows.append(f"<li>{e.created_on.isoformat()}{confirmed}: {_h(e.text)}{link}{tags}</li>")
    rows.append("</ul>")
    return "".join(rows)


def _html_kpis(p: Packet) -> list[str]:
    out = ["<section><h2>KPIs against the blueprint's targets</h2>"]
    if not p.kpis:
        out.append('<p class="muted">No KPIs picked for this hire and no readings.</p>')
    for k in p.kpis:
        team = " · team-level: the hire's reading is a contribution" if k.team_level else ""
        dropped = "" if k.selected else ' <span class="muted">(no longer tracked)</span>'
        out.append(f"<h3>{_h(k.name)}{dropped}</h3>")
        out.append(
            f"<p>Target (blueprint): <q>{_h(k.target)}</q>"
            f'<br><span class="muted">{_h(k.measures)} · {_h(k.frequency)}{team}</span></p>'
        )
        if not k.readings:
            out.append('<p class="muted">No readings in this window.</p>')
            continue
        out.append(_kpi_svg(k))
        out.append(
            "<table><tr><th>Period</th><th>Value</th><th>Against the target</th><th>Note</th>"
            "<th>Recorded</th></tr>"
        )
        for r in k.readings:
            note = _h(r.note or "")
            if r.link:
                note += f' <span class="tag">[{_h(r.link)}]</span>'
            out.append(
                f"<tr><td>{_h(r.period)}</td><td>{_value(r.value)}</td>"
                f"<td>{_against(r.on_target)}</td><td>{note}</td>"
                f"<td>{r.recorded_on.isoformat()}</td></tr>"
            )
        out.append("</table>")
    out.append("</section>")
    return out


def _against(on_target: bool | None) -> str:
    """A reading against the target's bound: within it, outside it, or not judged."""
    if on_target is None:
        return "not judged (no number in the target)"
    return "within" if on_target else "outside"


def _html_focus(p: Packet) -> list[str]:
    out = ["<section><h2>Focus items</h2>"]
    if not p.focus:
        out.append('<p class="muted">No focus items chosen yet.</p></section>')
        return out
    out.append(
        "<table><tr><th>Focus</th><th>Dimension</th><th>Actions</th><th>Due</th>"
        "<th>Status</th><th>Latest progress</th></tr>"
    )
    for f in p.focus:
        actions = "<br>".join(_h(a) for a in f.actions) or "—"
        progress = f"{f.progress_on}: {_h(f.progress)}" if f.progress else "—"
        out.append(
            f"<tr><td>{_h(f.title)}</td><td>{_h(f.dimension)}</td><td>{actions}</td>"
            f"<td>{f.due.isoformat()}</td><td>{_h(f.status)}</td><td>{progress}</td></tr>"
        )
    out.append("</table></section>")
    return out


def _html_moods(p: Packet) -> list[str]:
    out = ["<section><h2>Mood trend (pulse answers)</h2>"]
    if not p.moods:
        out.append('<p class="muted">No pulse answers in this window.</p></section>')
        return out
    counts = {m: sum(1 for x in p.moods if x.mood == m) for m in MOOD_WORDS}
    out.append(_mood_svg(p.moods))
    out.append(
        "<p>"
        + " · ".join(f"{MOOD_WORDS[m]}: {n}" for m, n in counts.items())
        + f" (of {len(p.moods)} pulses)</p></section>"
    )
    return out


def _html_citations(p: Packet) -> list[str]:
    out = ["<section><h2>Citations (the role blueprint)</h2><ul>"]
    for c in p.citations:
        number = f"§{c.section} " if c.section is not None else ""
        out.append(f'<li>{number}{_h(c.heading)} <span class="tag">({_h(c.id)})</span></li>')
    out.append("</ul></section>")
    return out


# --- charts (inline SVG) ------------------------------------------------------------------

#: Chart size and the left margin that holds the axis labels ("acceptable", "at risk").
_W, _H, _PAD = 560, 160, 80


def _xs(n: int) -> list[float]:
    if n == 1:
        return [_W / 2]
    step = (_W - 2 * _PAD) / (n - 1)
    return [_PAD + i * step for i in range(n)]


def _y(level: float, top: float) -> float:
    """Level 1 at the bottom, ``top`` at the top."""
    span = max(top - 1, 1)
    return _H - 30 - (level - 1) * (_H - 55) / span


def _svg(title: str, body: Sequence[str]) -> str:
    return (
        f'<svg viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" role="img" '
        f'aria-label="{_h(title)}"><title>{_h(title)}</title>'
        f'<rect x="0" y="0" width="{_W}" height="{_H}" fill="#fff" stroke="#e2e8f0"/>'
        + "".join(body)
        + "</svg>"
    )


def _ratings_svg(d: DimensionSection) -> str:
    top = max(len(d.levels), 2)
    xs = _xs(len(d.ratings))
    body = []
    for level, label in enumerate(d.levels, start=1):
        y = _y(level, top)
        body.append(
            f'<line x1="{_PAD}" y1="{y:.1f}" x2="{_W - 10}" y2="{y:.1f}" stroke="#edf2f7"/>'
            f'<text x="4" y="{y + 4:.1f}" font-size="10" fill="#4a5568">{_h(label[:14])}</text>'
        )
    for x, point in zip(xs, d.ratings, strict=True):
        body.append(
            f'<text x="{x:.1f}" y="{_H - 8}" font-size="11" text-anchor="middle">'
            f"{_h(point.label)}</text>"
        )
    for attr, colour, dash in (("self_side", _SELF, "4 3"), ("manager_side", _MANAGER, "")):
        pts = [
            (x, _y(side.level, top))
            for x, point in zip(xs, d.ratings, strict=True)
            if (side := getattr(point, attr)) is not None
        ]
        if len(pts) > 1:
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dashed}/>"
            )
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>' for x, y in pts]
    return _svg(f"{d.title}: self and manager ratings by round", body)


def _mood_svg(moods: Sequence[MoodPoint]) -> str:
    xs = _xs(len(moods))
    body = []
    for mood, level in MOOD_LEVEL.items():
        y = _y(level, 3)
        body.append(
            f'<line x1="{_PAD}" y1="{y:.1f}" x2="{_W - 10}" y2="{y:.1f}" stroke="#edf2f7"/>'
            f'<text x="4" y="{y + 4:.1f}" font-size="10" fill="#4a5568">{MOOD_WORDS[mood]}</text>'
        )
    pts = [(x, _y(MOOD_LEVEL.get(m.mood, 2), 3)) for x, m in zip(xs, moods, strict=True)]
    if len(pts) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        body.append(f'<polyline points="{line}" fill="none" stroke="#4a5568" stroke-width="1.5"/>')
    colours = {"on_track": "#2f855a", "at_risk": "#d69e2e", "blocked": "#c53030"}
    body += [
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colours.get(m.mood, "#4a5568")}"/>'
        for (x, y), m in zip(pts, moods, strict=True)
    ]
    body.append(
        f'<text x="{_PAD}" y="{_H - 8}" font-size="11">{moods[0].on.isoformat()}</text>'
        f'<text x="{_W - 10}" y="{_H - 8}" font-size="11" text-anchor="end">'
        f"{moods[-1].on.isoformat()}</text>"
    )
    return _svg("Pulse moods over time", body)


def _kpi_svg(k: KpiSection) -> str:
    """The readings in order, with the target's bound (when it states one) as dashed lines."""
    values = [r.value for r in k.readings]
    marks = [] if k.bound is None else [b for b in (k.bound.low, k.bound.high) if b is not None]
    # Lists, not spread arguments: one reading and no bound is ``max(62.0)``, which is a
    # TypeError. The range holds 0, so equal readings still get a span (only all-zero has none).
    low, high = min([0.0, *values, *marks]), max([0.0, *values, *marks])
    span = (high - low) or 1.0

    def y_of(value: float) -> float:
        return _H - 30 - (value - low) * (_H - 55) / span

    body = [
        f'<line x1="{_PAD}" y1="{_H - 30}" x2="{_W - 10}" y2="{_H - 30}" stroke="#cbd5e0"/>',
        f'<text x="4" y="20" font-size="10" fill="#4a5568">{_value(high)}</text>',
        f'<text x="4" y="{_H - 26}" font-size="10" fill="#4a5568">{_value(low)}</text>',
    ]
    body += [
        f'<line x1="{_PAD}" y1="{y_of(mark):.1f}" x2="{_W - 10}" y2="{y_of(mark):.1f}" '
        f'stroke="#2f855a" stroke-dasharray="6 4"/><text x="{_W - 12}" y="{y_of(mark) - 4:.1f}" '
        f'font-size="10" text-anchor="end" fill="#2f855a">target {_value(mark)}</text>'
        for mark in marks
    ]
    pts = [(x, y_of(v)) for x, v in zip(_xs(len(values)), values, strict=True)]
    if len(pts) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        body.append(f'<polyline points="{line}" fill="none" stroke="#2b6cb0" stroke-width="2"/>')
    for (x, y), r in zip(pts, k.readings, strict=True):
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#2b6cb0"/>'
            f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="10" text-anchor="middle">'
            f"{_value(r.value)}</text>"
            f'<text x="{x:.1f}" y="{_H - 12}" font-size="10" text-anchor="middle">'
            f"{_h(r.period[:12])}</text>"
        )
    return _svg(f"{k.name}: readings by period", body)


# --- Markdown -----------------------------------------------------------------------------


def _m(text: object) -> str:
    """Text for a Markdown table cell or line: no raw HTML, no broken table."""
    value = str(text).replace("\r", " ").replace("\n", " ")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("|", "\\|")


def render_markdown(packet: Packet) -> str:
    """The packet as Markdown: the same content, tables instead of charts."""
    p = packet
    out = [
        f"# Review packet: {_m(p.hire_name)}",
        "",
        f"{_m(p.plan_title)} · manager {_m(p.manager_name or '—')} · on the plan since "
        f"{p.start.isoformat()} · this packet covers {p.since.isoformat()} to "
        f"{p.until.isoformat()}",
        "",
    ]
    if p.preview:
        out += [
            "> Preview: this is what your manager sees when they pull your packet. Private "
            "evidence and anyone's private notes are never in it.",
            "",
        ]
    if p.comment is not None:
        out += ["## The hire's comment", "", f"> {_m(p.comment.text)}", "",
                f"_Added {p.comment.on.isoformat()}_", ""]  # fmt: skip
    out += _md_milestones(p)
    out += _md_dimensions(p)
    out += _md_kpis(p)
    out += _md_rest(p)
    return "\n".join(out)


def _md_milestones(p: Packet) -> list[str]:
    out = ["## Milestones by phase", ""]
    for phase in p.phases:
        out += [
            f"### {_m(phase.title)} — due {phase.due.isoformat()} "
            f"({phase.done} of {len(phase.milestones)} done)",
            "",
            "| Milestone | Status | Due | Done |",
            "|---|---|---|---|",
        ]
        out += [
            f"| {'↳ ' if m.parent else ''}{_m(m.title)} | {m.status.replace('_', ' ')} | "
            f"{m.due.isoformat()} | "
            f"{m.done_on.isoformat() if m.done_on else '—'} |"
            for m in phase.milestones
        ]
        out.append("")
    return out


def _md_dimensions(p: Packet) -> list[str]:
    out = ["## Ratings and evidence by dimension", "",
            "Only rounds both sides can see are shown.", ""]  # fmt: skip
    if p.blind_rounds:
        out += [
            f"> Still blind: the {', '.join(p.blind_rounds)} round. Its ratings appear once "
            "both have submitted or the round closes.",
            "",
        ]
    for d in p.dimensions:
        out += [f"### {_m(d.title)}", "", f"Levels: {_m(' → '.join(d.levels))}", ""]
        if d.ratings:
            out += ["| Round | Self | Manager |", "|---|---|---|"]
            out += [
                f"| {pt.label} | {_side_md(pt.self_side)} | {_side_md(pt.manager_side)} |"
                for pt in d.ratings
            ]
            out.append("")
        else:
            out += ["No revealed ratings in this window.", ""]
        out += _evidence_md(d.evidence) if d.evidence else [f"Not yet: {_m(d.not_yet)}", ""]
    if p.other_evidence:
        out += ["### Other evidence (skills, milestones, untagged)", ""]
        out += _evidence_md(p.other_evidence)
    return out


def _md_kpis(p: Packet) -> list[str]:
    out = ["## KPIs against the blueprint's targets", ""]
    if not p.kpis:
        out += ["No KPIs picked for this hire and no readings.", ""]
    for k in p.kpis:
        team = " Team-level: the hire's reading is a contribution." if k.team_level else ""
        dropped = "" if k.selected else " (no longer tracked)"
        out += [
            f"### {_m(k.name)}{dropped}",
            "",
            f"Target (blueprint): “{_m(k.target)}”.{team}",
            "",
        ]
        if not k.readings:
            out += ["No readings in this window.", ""]
            continue
        out += [
            "| Period | Value | Against the target | Note | Recorded |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {_m(r.period)} | {_value(r.value)} | {_against(r.on_target)} | {_m(r.note or '')}"
            f"{_md_link(r.link)} | {r.recorded_on.isoformat()} |"
            for r in k.readings
        ]
        out.append("")
    return out


def _md_rest(p: Packet) -> list[str]:
    """Focus items, the mood trend and the citations."""
    out = ["## Focus items", ""]
    if p.focus:
        out += [
            "| Focus | Dimension | Actions | Due | Status | Latest progress |",
            "|---|---|---|---|---|---|",
        ]
        out += [
            f"| {_m(f.title)} | {_m(f.dimension)} | {_m('; '.join(f.actions)) or '—'} | "
            f"{f.due.isoformat()} | {_m(f.status)} | "
            f"{f'{f.progress_on}: {_m(f.progress)}' if f.progress else '—'} |"
            for f in p.focus
        ]
        out.append("")
    else:
        out += ["No focus items chosen yet.", ""]
    out += ["## Mood trend (pulse answers)", ""]
    if p.moods:
        out += ["| Day | Mood |", "|---|---|"]
        out += [f"| {m.on.isoformat()} | {MOOD_WORDS.get(m.mood, m.mood)} |" for m in p.moods]
        out.append("")
    else:
        out += ["No pulse answers in this window.", ""]
    out += ["## Citations (the role blueprint)", ""]
    out += [
        f"- {'§' + str(c.section) + ' ' if c.section is not None else ''}{_m(c.heading)} "
        f"({_m(c.id)})"
        for c in p.citations
    ]
    out += ["", f"_Generated {p.generated_at:%Y-%m-%d %H:%M} UTC by Onramp._", ""]
    return out


def _side_md(side: Side | None) -> str:
    if side is None:
        return "—"
    text = _m(side.label)
    return f"{text}: “{_m(side.comment)}”" if side.comment else text


def _md_link(link: str | None) -> str:
    """`` <https://…>``: a Markdown autolink, kept whole (empty without a link)."""
    if not link:
        return ""
    return " <" + link.replace(">", "%3E").replace("|", "%7C") + ">"


def _evidence_md(items: Iterable[EvidenceLine]) -> list[str]:
    lines = [
        f"- {e.created_on.isoformat()}{' (corroborated)' if e.corroborated else ''}: "
        f"{_m(e.text)}{_md_link(e.link)}"
        f"{' (' + ', '.join(e.tags) + ')' if e.tags else ''}"
        for e in items
    ]
    return [*lines, ""]
