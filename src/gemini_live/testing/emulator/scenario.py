"""Scripted server behaviour: exact frames in reply to matching client messages.

::

    scenario = (
        Scenario()
        .on_setup(reply=[{"setupComplete": {}}, {"goAway": {"timeLeft": "1s"}}])
        .on_text("hi", reply=[{"serverContent": {"modelTurn": {"parts": [{"text": "yo"}]}}},
                              Pause(0.05),
                              {"serverContent": {"turnComplete": True}}])
        .on_message(lambda m: "toolResponse" in m, reply=[], then_close=(1011, "boom"))
    )
    async with Emulator(scenario=scenario) as emu: ...

Rules are tried in the order they were added; the first match wins. A matching message is still
validated and recorded as consumed, but the model does not see it: the scripted reply replaces it
(for ``setup``, the reply replaces ``setupComplete``; the setup itself is still validated unless
``Scenario(validate=False)``). Messages that match no rule go to the model as usual.

Predicates receive the whole normalised message (camelCase keys, e.g. ``{"realtimeInput":
{"text": "hi"}}``; blob data already decoded to bytes). Reply items are dict frames (sent as
JSON), ``str``/``bytes`` (sent verbatim as a text/binary frame), or :class:`Pause`. ``once=True``
rules match only once per :class:`Scenario` (across connections).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Pause", "ReplyItem", "Rule", "Scenario"]


@dataclass(frozen=True, slots=True)
class Pause:
    """Wait ``seconds`` between scripted frames."""

    seconds: float


ReplyItem = dict[str, Any] | str | bytes | Pause
Predicate = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    """One scripted reaction."""

    predicate: Predicate
    reply: tuple[ReplyItem, ...]
    then_close: tuple[int, str] | None = None
    then_abort: bool = False
    once: bool = False
    description: str = ""


def _text_of(message: Mapping[str, Any]) -> str | None:
    realtime = message.get("realtimeInput")
    if isinstance(realtime, Mapping) and isinstance(realtime.get("text"), str):
        return str(realtime["text"])
    content = message.get("clientContent")
    if isinstance(content, Mapping):
        texts: list[str] = []
        for turn in content.get("turns") or ():
            if isinstance(turn, Mapping) and turn.get("role", "user") == "user":
                for part in turn.get("parts") or ():
                    if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                        texts.append(part["text"])
        if texts:
            return " ".join(texts)
    return None


class Scenario:
    """An ordered list of :class:`Rule`; see the module docstring."""

    def __init__(self, *, validate: bool = True) -> None:
        self.validate = validate
        self.rules: list[Rule] = []
        self._used: set[int] = set()
        self.matched: list[str] = []

    def on_message(
        self,
        predicate: Predicate,
        reply: Iterable[ReplyItem] = (),
        *,
        then_close: tuple[int, str] | None = None,
        then_abort: bool = False,
        once: bool = False,
        description: str = "message",
    ) -> Scenario:
        """Reply to messages for which ``predicate(message)`` is true."""
        self.rules.append(Rule(predicate, tuple(reply), then_close, then_abort, once, description))
        return self

    def on_setup(
        self,
        reply: Iterable[ReplyItem] | None = None,
        *,
        then_close: tuple[int, str] | None = None,
        then_abort: bool = False,
    ) -> Scenario:
        """Replace the reply to ``setup`` (default: a plain ``setupComplete``)."""
        frames: tuple[ReplyItem, ...] = ({"setupComplete": {}},) if reply is None else tuple(reply)
        return self.on_message(
            lambda m: "setup" in m,
            frames,
            then_close=then_close,
            then_abort=then_abort,
            description="setup",
        )

    def on_text(
        self,
        text: str,
        reply: Iterable[ReplyItem] = (),
        *,
        then_close: tuple[int, str] | None = None,
        then_abort: bool = False,
        once: bool = False,
    ) -> Scenario:
        """Reply to user text ``text`` (``realtimeInput.text`` or a user ``clientContent``)."""
        return self.on_message(
            lambda m: _text_of(m) == text,
            reply,
            then_close=then_close,
            then_abort=then_abort,
            once=once,
            description=f"text {text!r}",
        )

    def on_kind(
        self,
        kind: str,
        reply: Iterable[ReplyItem] = (),
        *,
        field: str | None = None,
        then_close: tuple[int, str] | None = None,
        then_abort: bool = False,
        once: bool = False,
    ) -> Scenario:
        """Reply to every message of top-level ``kind`` (and realtimeInput ``field``)."""

        def predicate(m: Mapping[str, Any]) -> bool:
            body = m.get(kind)
            return isinstance(body, Mapping) and (field is None or field in body)

        return self.on_message(
            predicate,
            reply,
            then_close=then_close,
            then_abort=then_abort,
            once=once,
            description=f"kind {kind}",
        )

    def match(self, message: Mapping[str, Any]) -> Rule | None:
        """The first rule matching ``message`` (marking ``once`` rules as used)."""
        for i, rule in enumerate(self.rules):
            if i in self._used:
                continue
            if rule.predicate(message):
                if rule.once:
                    self._used.add(i)
                self.matched.append(rule.description)
                return rule
        return None

    @property
    def scripts_setup(self) -> bool:
        """Whether some rule may answer ``setup`` (checked against a bare setup message)."""
        return any(r.description == "setup" for r in self.rules)


async def play(
    rule: Rule,
    send_frame: Callable[[dict[str, Any]], Any],
    send_raw: Callable[[str | bytes], Any],
) -> None:
    """Send a rule's reply items in order (Pause sleeps)."""
    for item in rule.reply:
        if isinstance(item, Pause):
            await asyncio.sleep(item.seconds)
        elif isinstance(item, dict):
            await send_frame(item)
        else:
            await send_raw(item)
