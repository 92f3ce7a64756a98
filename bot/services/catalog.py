"""The plan catalog: reads ``plans/<role-id>/plan.yaml`` and the blueprint beside it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.domain.blueprint import parse_blueprint
from bot.domain.errors import NotFound, PlanError
from bot.domain.plan import LoadedPlan, content_hash, parse_plan

PLAN_FILE = "plan.yaml"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError([f"{path}: file not found"]) from None
    except UnicodeDecodeError:
        raise PlanError([f"{path}:1: not UTF-8 text; save the file as UTF-8"]) from None


def load_plan_file(path: Path) -> LoadedPlan:
    """Load and check one ``plan.yaml`` with its blueprint; raise :class:`PlanError` on problems."""
    plan_text = _read(path)
    # The blueprint is named inside the plan; read it leniently first to find that name.
    blueprint_name = "blueprint.md"
    try:
        import yaml

        raw = yaml.safe_load(plan_text)
        if isinstance(raw, dict) and isinstance(raw.get("blueprint"), str):
            blueprint_name = raw["blueprint"]
    except yaml.YAMLError:
        pass  # parse_plan reports the YAML error with its line
    blueprint_path = path.parent / blueprint_name
    if not blueprint_path.is_file():
        raise PlanError(
            [
                f"{path}:1: blueprint: {blueprint_path} does not exist; put the role's blueprint "
                "Markdown beside plan.yaml or name it with `blueprint:`"
            ]
        )
    blueprint_text = _read(blueprint_path)
    blueprint = parse_blueprint(blueprint_text, source_name=str(blueprint_path))
    plan = parse_plan(plan_text, source_name=str(path), blueprint=blueprint)
    if plan.id != path.parent.name:
        raise PlanError(
            [
                f"{path}:1: id: {plan.id!r} differs from its folder {path.parent.name!r}; "
                "name the folder after the plan id"
            ]
        )
    return LoadedPlan(
        plan=plan,
        blueprint=blueprint,
        content_hash=content_hash(plan_text, blueprint_text),
        path=str(path),
    )


class PlanCatalog:
    """Every plan in a folder, loaded once and kept (reload by building a new catalog)."""

    def __init__(self, plans_dir: Path) -> None:
        self.plans_dir = plans_dir
        self._plans: dict[str, LoadedPlan] | None = None

    def plan_paths(self) -> list[Path]:
        """``plan.yaml`` files under the plans folder, sorted by role id."""
        if not self.plans_dir.is_dir():
            return []
        return sorted(self.plans_dir.glob(f"*/{PLAN_FILE}"))

    def _load(self) -> dict[str, LoadedPlan]:
        if self._plans is None:
            problems: list[str] = []
            plans: dict[str, LoadedPlan] = {}
            for path in self.plan_paths():
                try:
                    loaded = load_plan_file(path)
                except PlanError as exc:
                    problems.extend(exc.problems)
                else:
                    plans[loaded.plan.id] = loaded
            if problems:
                raise PlanError(problems)
            self._plans = plans
        return self._plans

    def ids(self) -> list[str]:
        """The ids of all plans, sorted."""
        return sorted(self._load())

    def all(self) -> list[LoadedPlan]:
        """All plans, sorted by id."""
        plans = self._load()
        return [plans[i] for i in sorted(plans)]

    def get(self, plan_id: str) -> LoadedPlan:
        """The plan with this id; :class:`NotFound` lists the ones there are."""
        plans = self._load()
        if plan_id not in plans:
            known = ", ".join(sorted(plans)) or "none (add one under plans/)"
            raise NotFound(f"There is no plan '{plan_id}'. Plans available: {known}.")
        return plans[plan_id]

    def default_id(self) -> str | None:
        """The only plan's id when there is exactly one, else ``None``."""
        ids = self.ids()
        return ids[0] if len(ids) == 1 else None


def check_paths(paths: Iterable[Path]) -> tuple[list[LoadedPlan], list[str]]:
    """Check plan files or folders; return what loaded and every problem found."""
    loaded: list[LoadedPlan] = []
    problems: list[str] = []
    for path in paths:
        files = sorted(path.glob(f"*/{PLAN_FILE}")) if path.is_dir() else [path]
        if path.is_dir() and (path / PLAN_FILE).is_file():
            files = [path / PLAN_FILE]
        if not files:
            problems.append(f"{path}: no plan.yaml found here")
        for file in files:
            try:
                loaded.append(load_plan_file(file))
            except PlanError as exc:
                problems.extend(exc.problems)
    return loaded, problems
