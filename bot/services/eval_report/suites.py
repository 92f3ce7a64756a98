"""Suites against their plan: the sections, milestone ids and evidence tags a suite names must
exist.

A mistyped section, milestone or tag would make a case fail (or crash a persona) for the wrong
reason, so ``onramp eval`` and ``onramp plans check`` refuse such a suite before running it.
"""

from __future__ import annotations

from pathlib import Path

from bot.domain.plan import LoadedPlan
from bot.services.evals import Suite


def check_suite(suite: Suite, loaded: LoadedPlan, path: Path | str) -> list[str]:
    """Problems of a suite that only its plan can reveal: unknown sections, milestone ids and
    evidence tags.

    A mistyped section or milestone would make a case fail (or crash a persona) for the wrong
    reason; each problem names the file, the case and the field, like :func:`load_suite` does.
    """
    blueprint = loaded.blueprint
    numbers = {s.number for s in blueprint.sections}
    milestones = set(loaded.plan.milestone_ids)
    tags = {*loaded.plan.growth.tag_ids, *milestones}
    problems: list[str] = []
    for index, case in enumerate(suite.cases):
        where = f"{path}: cases[{index}] ({case.q!r})"
        for expected in case.sections:
            if isinstance(expected, int):
                if expected not in numbers:
                    problems.append(
                        f"{where}: sections: there is no section {expected} in "
                        f"{blueprint.source_name} (sections {min(numbers)}–{max(numbers)})"
                    )
            elif not any(i == expected or i.startswith(f"{expected}.") for i in blueprint.ids):
                hint = blueprint.suggest(expected)
                problems.append(
                    f"{where}: sections: no blueprint section {expected!r}"
                    + (f" (did you mean {hint!r}?)" if hint else "")
                )
        persona = case.as_
        if persona is None:
            continue
        for name, ids in (
            ("done", persona.done),
            ("in_progress", persona.in_progress),
            ("blocked", persona.blocked),
            ("skipped", persona.skipped),
            ("expect", list(persona.expect)),
        ):
            problems.extend(
                f"{where}: as.{name}: no milestone {mid!r} in plan {loaded.plan.id} "
                "(`onramp plans show` lists the ids)"
                for mid in ids
                if mid not in milestones
            )
        problems.extend(
            f"{where}: as.evidence: no tag {tag!r} in plan {loaded.plan.id} (tags are the ids of "
            "its rubric, skills, promotion criteria and milestones)"
            for tag in persona.evidence
            if tag not in tags
        )
    return problems
