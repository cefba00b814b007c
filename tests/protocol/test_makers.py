"""The decoder's fast event constructors build exactly what the classes build."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from gemini_live.protocol._makers import maker, twin
from gemini_live.protocol.events import AudioChunk, ModalityTokens, TextDelta, Usage


def test_made_events_equal_constructed_ones() -> None:
    cases = [
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


def test_classes_the_twin_cannot_match_still_get_a_correct_maker() -> None:
    # A weakref slot (layout the twin does not copy) and a slotted base class: the descriptor
    # fallback, still the class's own instances.
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
        made = maker(cls, 2)
        assert made is not cls
        event = made(1, "x")
        assert type(event) is cls and event == cls(1, "x")  # type: ignore[call-arg]
        with pytest.raises(dataclasses.FrozenInstanceError):
            event.a = 2  # type: ignore[misc]


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


def test_no_twin_where_the_layout_or_the_constructor_differs() -> None:
    @dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True)
    class Weak:
        a: int

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

    for cls in (Weak, Checked, NoSlots, Plain):
        assert twin(cls) is None, cls
