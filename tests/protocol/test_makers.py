"""The decoder's fast event constructors build exactly what the classes build."""

from __future__ import annotations

import abc
import dataclasses
import pickle
import weakref
from typing import Any

import pytest

from gemini_live.protocol._makers import maker, twin
from gemini_live.protocol.events import (
    AudioChunk,
    FunctionCall,
    GoAway,
    InputTranscription,
    InterimInputTranscription,
    ModalityTokens,
    OutputTranscription,
    ResumptionUpdate,
    TextDelta,
    ToolCall,
    Usage,
)


def test_made_events_equal_constructed_ones() -> None:
    cases: list[tuple[type[Any], tuple[Any, ...]]] = [
        (TextDelta, ("hi",)),
        (ModalityTokens, ("AUDIO", 5)),
        (AudioChunk, (b"\x00\x01", 16_000, "audio/pcm;rate=16000")),
        (Usage, (1, 2, 3, 4, 5, 6, (ModalityTokens("TEXT", 1),), ())),
    ]
    for cls, values in cases:
        made = maker(cls, len(values))
        assert made is not cls
        event = made(*values)
        expected = cls(*values)
        assert type(event) is cls
        assert event == expected and hash(event) == hash(expected)
        assert repr(event) == repr(expected)
        assert pickle.loads(pickle.dumps(event)) == expected
        first = dataclasses.fields(cls)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(event, first, values[0])


def test_a_class_it_cannot_see_whole_gets_its_own_constructor() -> None:
    # Wrong arity (e.g. a field added to the event later): the class itself, so still correct.
    assert maker(AudioChunk, 2) is AudioChunk

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    assert maker(Checked, 1) is Checked


def test_made_events_do_not_share_state() -> None:
    made = maker(TextDelta, 1)
    first, second = made("a"), made("b")
    assert (first.text, second.text) == ("a", "b")
    assert type(first) is TextDelta and not hasattr(first, "__dict__")


def test_twin_instances_moved_to_the_class_equal_constructed_ones() -> None:
    made = twin(ModalityTokens)
    assert made is not None and made is not ModalityTokens
    event = made()
    event.modality = "AUDIO"
    event.token_count = 5
    event.__class__ = ModalityTokens
    expected = ModalityTokens("AUDIO", 5)
    assert type(event) is ModalityTokens
    assert event == expected and hash(event) == hash(expected) and repr(event) == repr(expected)
    assert pickle.loads(pickle.dumps(event)) == expected
    assert dataclasses.replace(event, token_count=6) == ModalityTokens("AUDIO", 6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.token_count = 6  # type: ignore[misc]


def test_no_twin_where_the_constructor_or_the_class_differs() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    class Plain:
        __slots__ = ("a",)

    @dataclasses.dataclass(frozen=True, slots=True)
    class OwnNew:
        a: int

        def __new__(cls, *args: object) -> OwnNew:
            return super().__new__(cls)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Abstract(abc.ABC):  # a metaclass other than type
        a: int

    for cls in (Checked, NoSlots, Plain, OwnNew, Abstract):
        assert twin(cls) is None, cls


def test_twins_add_nothing_to_the_layout_and_store_plainly() -> None:
    # A subclass that adds no slot (the event's own layout, inherited) and assigns through
    # object's __setattr__, so that the interpreter's slot store applies before the move.
    for cls in (ModalityTokens, Usage, TextDelta, AudioChunk):
        made = twin(cls)
        assert made is not None and made.__bases__ == (cls,), cls
        assert made.__slots__ == () and made.__basicsize__ == cls.__basicsize__
        assert made.__dict__["__setattr__"] is object.__setattr__
        assert made.__dict__["__delattr__"] is object.__delattr__
        probe = made()
        first = dataclasses.fields(cls)[0].name
        setattr(probe, first, "x")  # no FrozenInstanceError before the move
        assert getattr(probe, first) == "x" and not hasattr(probe, "__dict__")


def test_twins_of_a_weakref_slot_and_of_a_slotted_base_build_the_class_itself() -> None:
    # The layout is inherited, not copied: these need no special case.
    @dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True)
    class Weak:
        a: int
        b: str

    @dataclasses.dataclass(frozen=True, slots=True)
    class Base:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived(Base):
        b: str

    for cls in (Weak, Derived):
        made = twin(cls)
        assert made is not None, cls
        event = made()
        event.a = 1
        event.b = "x"
        event.__class__ = cls
        expected = cls(1, "x")
        assert type(event) is cls
        assert event == expected and hash(event) == hash(expected) and repr(event) == repr(expected)
        with pytest.raises(dataclasses.FrozenInstanceError):
            event.a = 2  # type: ignore[misc]
        by_maker = maker(cls, 2)(1, "x")
        assert type(by_maker) is cls and by_maker == expected
    weak = twin(Weak)
    assert weak is not None
    event = weak()
    event.a, event.b = 1, "x"
    event.__class__ = Weak
    assert weakref.ref(event)() is event


def test_the_decoders_events_all_have_fast_constructors() -> None:
    # A class that lost its twin would still decode correctly, only slower: caught here.
    for cls in (
        AudioChunk,
        TextDelta,
        InputTranscription,
        OutputTranscription,
        InterimInputTranscription,
        FunctionCall,
        ToolCall,
        GoAway,
        ResumptionUpdate,
        ModalityTokens,
        Usage,
    ):
        assert twin(cls) is not None, cls
        made = maker(cls, len(dataclasses.fields(cls)))
        assert made.__qualname__ == f"maker({cls.__name__})", cls
