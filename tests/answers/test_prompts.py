"""Prompts are versioned files whose declared variables render; mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.errors import ConfigError, InvalidInput
from bot.services.prompts import PromptLibrary, parse_prompt
from tests.answers.conftest import ROOT


def test_every_prompt_renders_with_its_declared_variables() -> None:
    """Each prompts/<name>/vN.md renders with a value for every declared variable."""
    prompts = PromptLibrary(ROOT / "prompts").all()
    assert prompts
    for prompt in prompts:
        values = {v: f"<{v}>" for v in prompt.variables}
        text = prompt.render(**values)
        assert "{{" not in text
        assert all(v in text for v in values.values())
        assert prompt.ref == f"{prompt.name}@v{prompt.version}"


def test_missing_variables_are_named() -> None:
    """Rendering without a declared variable says which one is missing."""
    prompt = PromptLibrary(ROOT / "prompts").get("answer@v1")
    with pytest.raises(InvalidInput, match="missing variables"):
        prompt.render()


def test_undeclared_placeholders_are_rejected(tmp_path: Path) -> None:
    """A body that uses a variable the front matter does not declare is a configuration error."""
    path = tmp_path / "answer" / "v1.md"
    text = "---\nversion: 1\ndescription: x\nvariables: []\nchangelog: [v1]\n---\nHi {{name}}\n"
    with pytest.raises(ConfigError, match="undeclared variables name"):
        parse_prompt(text, path=path)


def test_unknown_versions_list_the_available_ones() -> None:
    """Asking for a version that does not exist lists the ones that do."""
    with pytest.raises(ConfigError, match=r"answer@v1"):
        PromptLibrary(ROOT / "prompts").get("answer@v99")
