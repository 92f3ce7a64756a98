"""Versioned prompt templates: ``prompts/<name>/v<N>.md`` with YAML front matter.

Front matter declares ``version``, ``description``, ``variables`` and ``changelog``; the body uses
``{{variable}}`` placeholders. A released file is never edited: add ``v<N+1>`` and select it in
``app.yaml`` (``answers.prompt: answer@v2``); rolling back is selecting the old one. Every answer
records the ``name@vN`` it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.domain.errors import ConfigError, InvalidInput

_REF = re.compile(r"^(?P<name>[a-z0-9_\-]+)@v(?P<version>\d+)$")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_FRONT = re.compile(r"\A---\n(?P<meta>.*?)\n---\n(?P<body>.*)\Z", re.S)


@dataclass(frozen=True)
class Prompt:
    """One prompt version."""

    name: str
    version: int
    description: str
    variables: tuple[str, ...]
    changelog: tuple[str, ...]
    body: str
    path: str

    @property
    def ref(self) -> str:
        """``name@vN``, as recorded with every answer."""
        return f"{self.name}@v{self.version}"

    def render(self, **values: str) -> str:
        """The body with every declared variable filled in; raise on a missing or unknown one."""
        missing = [v for v in self.variables if v not in values]
        unknown = [v for v in values if v not in self.variables]
        if missing or unknown:
            raise InvalidInput(
                f"{self.ref}: "
                + (f"missing variables {', '.join(missing)}" if missing else "")
                + ("; " if missing and unknown else "")
                + (f"undeclared variables {', '.join(unknown)}" if unknown else "")
                + f" (it declares: {', '.join(self.variables) or 'none'})"
            )
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.body).strip() + "\n"


def parse_ref(ref: str) -> tuple[str, int]:
    """``answer@v1`` → ``("answer", 1)``; raise :class:`ConfigError` with the expected shape."""
    match = _REF.match(ref.strip())
    if not match:
        raise ConfigError(f"{ref!r} is not a prompt reference; write it as name@vN, e.g. answer@v1")
    return match.group("name"), int(match.group("version"))


def parse_prompt(text: str, *, path: Path) -> Prompt:
    """Parse one prompt file; raise :class:`ConfigError` naming the file and the fault."""
    match = _FRONT.match(text.replace("\r\n", "\n"))
    if not match:
        raise ConfigError(f"{path}:1: a prompt starts with '---' front matter and a closing '---'")
    try:
        meta = yaml.safe_load(match.group("meta")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise ConfigError(f"{path}: front matter must be a mapping (version, description, …)")
    problems = [
        f"{path}: front matter needs '{key}'"
        for key in ("version", "description", "variables", "changelog")
        if key not in meta
    ]
    if problems:
        raise ConfigError("\n".join(problems))
    expected = path.stem
    if f"v{meta['version']}" != expected:
        raise ConfigError(
            f"{path}: version {meta['version']} does not match the file name {expected}"
        )
    variables = tuple(str(v) for v in meta["variables"] or ())
    used = set(_PLACEHOLDER.findall(match.group("body")))
    undeclared = ", ".join(sorted(used - set(variables)))
    if undeclared:
        raise ConfigError(
            f"{path}: the body uses undeclared variables {undeclared}; declare them under "
            "'variables'"
        )
    if set(variables) - used:
        raise ConfigError(
            f"{path}: declared variables never used: {', '.join(sorted(set(variables) - used))}"
        )
    changelog = meta["changelog"]
    return Prompt(
        name=path.parent.name,
        version=int(meta["version"]),
        description=str(meta["description"]),
        variables=variables,
        changelog=tuple(
            str(c) for c in (changelog if isinstance(changelog, list) else [changelog])
        ),
        body=match.group("body"),
        path=str(path),
    )


class PromptLibrary:
    """The prompts under one folder, read on first use and kept."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, Prompt] = {}

    def get(self, ref: str) -> Prompt:
        """The prompt ``name@vN``; :class:`ConfigError` says which versions exist."""
        if ref in self._cache:
            return self._cache[ref]
        name, version = parse_ref(ref)
        path = self.directory / name / f"v{version}.md"
        if not path.is_file():
            have = sorted(p.stem for p in (self.directory / name).glob("v*.md"))
            hint = f" (available: {', '.join(f'{name}@{v}' for v in have)})" if have else ""
            raise ConfigError(f"prompt {ref} not found at {path}{hint}")
        prompt = parse_prompt(path.read_text(encoding="utf-8"), path=path)
        self._cache[ref] = prompt
        return prompt

    def all(self) -> list[Prompt]:
        """Every prompt version in the folder, by name and version."""
        refs = sorted(
            (p.parent.name, int(p.stem[1:]))
            for p in self.directory.glob("*/v*.md")
            if p.stem[1:].isdigit()
        )
        return [self.get(f"{name}@v{version}") for name, version in refs]


__all__ = ["Prompt", "PromptLibrary", "parse_prompt", "parse_ref"]
