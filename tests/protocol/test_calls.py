"""ToolCalls: which tool-call ids are pending, cancelled or lost across reconnects."""

from __future__ import annotations

import json

import pytest

from gemini_live.protocol.calls import ToolCalls


def _answer(*ids: str) -> str:
    return json.dumps({"toolResponse": {"functionResponses": [{"id": i} for i in ids]}})


def test_a_fresh_session_loses_every_call_and_a_resume_only_those_after_the_checkpoint() -> None:
    calls = ToolCalls(16)
    calls.issued(["a"])
    calls.checkpoint()
    calls.issued(["b", "c"])
    assert calls.answered(["c"]) is False  # a and b still pending
    assert calls.settle(fresh=False) == ("b",)  # c was answered: nothing to cancel
    assert calls.answers_lost(_answer("c")) and not calls.answers_lost(_answer("a"))
    assert calls.pending == {"a"} and calls.live(["a", "b", None]) == [True, False, True]
    calls.reconnected()
    assert not calls.any_lost and not calls.answers_lost(_answer("c"))
    assert calls.settle(fresh=True) == ("a",)  # a fresh start loses the older calls too
    assert calls.pending == frozenset() and calls.rollbacks == 2


def test_an_id_issued_again_after_a_reconnect_is_live_again() -> None:
    calls = ToolCalls(16)
    calls.issued(["fc-1"])
    assert calls.settle(fresh=True) == ("fc-1",)
    calls.issued(["fc-1"])  # the new session reuses the id
    assert calls.pending == {"fc-1"} and calls.live(["fc-1"]) == [True]
    assert calls.answers_lost(_answer("fc-1"))  # the lost call's answer, still being settled
    calls.reconnected()
    assert not calls.answers_lost(_answer("fc-1"))


def test_answer_survives_one_rollback_that_did_not_lose_its_call() -> None:
    calls = ToolCalls(16)
    calls.issued(["a", "b"])
    before = calls.rollbacks
    calls.checkpoint()
    calls.issued(["c"])
    calls.settle(fresh=False)
    assert calls.answer_survives(["a"], before) and not calls.answer_survives(["c"], before)
    calls.settle(fresh=True)
    assert not calls.answer_survives(["a"], before)  # two rollbacks: cannot tell, drop


def test_every_set_is_bounded() -> None:
    calls = ToolCalls(3)
    calls.issued([f"id-{i}" for i in range(10)])
    assert calls.pending == {"id-7", "id-8", "id-9"}
    assert calls.cancelled(["x", "y", "z", "w"]) is False
    with pytest.raises(ValueError, match="max_tracked_calls"):
        ToolCalls(0)
