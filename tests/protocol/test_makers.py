"""The decoder's fast event constructors build exactly what the classes build."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from gemini_live.protocol._makers import maker
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
