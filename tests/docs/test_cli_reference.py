"""docs/cli.md documents every command and option the parser has (and no option it lacks)."""

from __future__ import annotations

import argparse
import re

from gemini_live.cli import build_parser
from tests.docs.snippets import ROOT

PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse offers no public way to list subcommands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_command_and_option_is_documented() -> None:
    parser = build_parser()
    commands = _subparsers(parser)
    assert {"demo", "chat", "talk", "emulator"} <= set(commands)
    missing = []
    for name, sub in commands.items():
        if f"## `gemini-live {name}`" not in PAGE:
            missing.append(f"section for {name}")
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help" and f"`{option}" not in PAGE:
                    missing.append(f"{name} {option}")
    assert "--version" in PAGE
    assert missing == []


def test_no_documented_option_is_unknown() -> None:
    parser = build_parser()
    known = {"--version", "--help"}
    for sub in _subparsers(parser).values():
        for action in sub._actions:
            known.update(action.option_strings)
    documented = set(re.findall(r"`(--[a-z][a-z-]*)", PAGE))
    assert documented - known == set()
