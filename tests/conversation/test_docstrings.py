"""Every public name of gemini_live.conversation has its own docstring (same rule as
``tests/api/test_docstrings.py``, applied to this package and its OpenTelemetry module)."""

from __future__ import annotations

import gemini_live.conversation
import gemini_live.conversation.otel
import gemini_live.conversation.recording
import gemini_live.conversation.transcript
from tests.api import test_docstrings as rule


def test_every_public_name_has_a_docstring(monkeypatch: object) -> None:
    modules = (
        gemini_live.conversation,
        gemini_live.conversation.otel,
        gemini_live.conversation.recording,
        gemini_live.conversation.transcript,
    )
    monkeypatch.setattr(rule, "MODULES", modules)  # type: ignore[attr-defined]
    assert rule.missing_docstrings() == []
