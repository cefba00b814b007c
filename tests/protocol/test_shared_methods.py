"""The shared dataclass methods behave exactly as the ones ``dataclasses`` compiles.

Each sample class is built twice from the same body: once as ``dataclasses`` makes it (the
reference), once with :func:`share_methods` applied. Every observable result is compared: repr
(recursive too), equality and ``NotImplemented``, hashes, the frozen errors and their messages,
subclasses, pickling. Then every frozen dataclass of the package that gets the shared methods is
checked to actually have them (nothing skipped silently), and its instances to still work.
"""

from __future__ import annotations

import dataclasses
import importlib
import pickle
from collections.abc import Callable
from dataclasses import FrozenInstanceError, InitVar, dataclass, field
from typing import Any, ClassVar

import pytest

import gemini_live
from gemini_live.protocol import _shared_methods
from gemini_live.protocol._shared_methods import share_methods


def _twins(make: Callable[[], type]) -> tuple[type, type]:
    reference = make()
    shared = make()
    share_methods([shared])
    assert shared.__repr__ is _shared_methods._repr  # type: ignore[comparison-overlap]
    return reference, shared


def _empty() -> type:
    @dataclass(frozen=True, slots=True)
    class Empty:
        pass

    return Empty


def _one() -> type:
    @dataclass(frozen=True, slots=True)
    class One:
        value: Any

    return One


def _mixed() -> type:
    @dataclass(frozen=True, slots=True)
    class Mixed:
        name: str
        secret: str = field(default="s", repr=False)
        cached: int = field(default=0, compare=False)
        tag: str = field(default="t", hash=False)
        extra: tuple[int, ...] = field(default_factory=tuple)
        KIND: ClassVar[str] = "mixed"

    return Mixed


def _unslotted() -> type:
    @dataclass(frozen=True)
    class Unslotted:
        a: int
        b: list[Any] = field(default_factory=list, hash=False)
        seed: InitVar[int] = 0

        def __post_init__(self, seed: int) -> None:
            pass

    return Unslotted


CASES: list[tuple[Callable[[], type], list[tuple[Any, ...]]]] = [
    (_empty, [()]),
    (_one, [(1,), (float("nan"),), ("x",), ((1, 2),), (None,)]),
    (_mixed, [("a",), ("a", "other", 5, "u", (1,)), ("b", "s", 0, "t", ())]),
    (_unslotted, [(1,), (2, [1]), (1, [], 7)]),
]


def _outcome(call: Callable[..., object], *args: object) -> tuple[str, object]:
    try:
        return "ok", call(*args)
    except Exception as exc:  # the type and message are what is compared
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("make, argsets", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_same_repr_eq_hash_and_frozen_errors(make: Callable[[], type], argsets: list[Any]) -> None:
    reference, shared = _twins(make)
    nan = float("nan")
    for args in argsets:
        for other_args in argsets:
            ref_a, ref_b = reference(*args), reference(*other_args)
            got_a, got_b = shared(*args), shared(*other_args)
            assert repr(got_a) == repr(ref_a)
            assert (got_a == got_b) == (ref_a == ref_b)
            assert (got_a != got_b) == (ref_a != ref_b)
        ref, got = reference(*args), shared(*args)
        assert got == got  # identity of a NaN inside still compares equal, as in a tuple
        assert got.__eq__(ref) is NotImplemented  # another class
        assert got.__eq__(nan) is NotImplemented
        assert _outcome(hash, got) == _outcome(hash, ref)
        for name in ("a", "value", "name", "nonexistent"):
            for verb, act in (("assign to", setattr), ("delete", delattr)):
                args_ = (name, 1) if act is setattr else (name,)
                expected = _outcome(act, ref, *args_)
                if expected[0] == "TypeError" and "super(type, obj)" in str(expected[1]):
                    # The CPython defect (3.11-3.13): a slotted class's compiled method closes
                    # over the class as it was before ``slots=True`` rebuilt it, so a name that
                    # is not a field fails in ``super()``. The shared method says "frozen".
                    expected = ("FrozenInstanceError", f"cannot {verb} field {name!r}")
                assert _outcome(act, got, *args_) == expected


def test_recursive_repr_is_cut_as_dataclasses_does() -> None:
    reference, shared = _twins(_one)
    ref_box: list[Any] = []
    got_box: list[Any] = []
    ref, got = reference(ref_box), shared(got_box)
    ref_box.append(ref)
    got_box.append(got)
    assert repr(got) == repr(ref) == f"{shared.__qualname__}(value=[...])"
    assert repr(got) == repr(got)  # the guard is released after each call


def test_error_messages_are_the_generated_ones() -> None:
    _, shared = _twins(_mixed)
    item = shared("a")
    with pytest.raises(FrozenInstanceError, match=r"^cannot assign to field 'name'$"):
        item.name = "b"
    with pytest.raises(FrozenInstanceError, match=r"^cannot delete field 'tag'$"):
        del item.tag
    with pytest.raises(FrozenInstanceError, match=r"^cannot assign to field 'other'$"):
        item.other = 1


def test_subclass_without_slots_keeps_its_own_attributes() -> None:
    reference, shared = _twins(_one)

    class RefChild(reference):  # type: ignore[misc,valid-type]
        pass

    class Child(shared):  # type: ignore[misc,valid-type]
        pass

    ref, got = RefChild(3), Child(3)
    assert repr(got) == repr(ref).replace("RefChild", "Child")
    assert repr(got).startswith("test_subclass_without_slots_keeps_its_own_attributes.<locals>")
    assert got == Child(3)
    assert got != shared(3)  # other class
    assert hash(got) == hash(ref)
    # Not a field: allowed on a subclass that has a __dict__ (the generated method means to
    # allow it too, but hits the CPython defect described above: its ``super()`` fails).
    got.note = "free"
    assert got.note == "free"
    del got.note
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'value'"):
        got.value = 4
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'value'"):
        del got.value


def test_methods_written_in_the_class_are_kept() -> None:
    @dataclass(frozen=True, slots=True)
    class Custom:
        key: str

        def __repr__(self) -> str:
            return "Custom(<hidden>)"

    share_methods([Custom])
    assert repr(Custom("k")) == "Custom(<hidden>)"
    assert Custom.__eq__ is _shared_methods._eq


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    label: str = field(default="", compare=False)


share_methods([Point])


def test_pickle_replace_and_match_still_work() -> None:
    item = Point(1, "a")
    assert Point.__eq__ is _shared_methods._eq
    copy = pickle.loads(pickle.dumps(item))
    assert copy == item and copy.label == "a" and type(copy) is Point
    assert dataclasses.replace(item, x=2) == Point(2)
    assert dataclasses.is_dataclass(item)
    params = Point.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen and params.repr and params.eq
    match item:
        case Point(x, label):
            assert (x, label) == (1, "a")
        case _:
            pytest.fail("no match")


# The modules that share their dataclasses' methods (the others in the package keep their own
# for now: errors.py imports nothing of the package, by the layering rule).
SHARING = [
    "gemini_live.protocol.events",
    "gemini_live.protocol.config",
    "gemini_live.protocol.types",
    "gemini_live.protocol.messages",
    "gemini_live.client.options",
    "gemini_live.client.credentials",
    "gemini_live.client.endpoints",
]


def _sharing_dataclasses() -> list[type]:
    classes = []
    for module_name in SHARING:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module_name
            ):
                classes.append(value)
    return classes


def test_the_sharing_modules_hold_most_of_the_exported_dataclasses() -> None:
    exported = {
        value
        for value in (getattr(gemini_live, name) for name in gemini_live.__all__)
        if isinstance(value, type) and dataclasses.is_dataclass(value)
    }
    shared = set(_sharing_dataclasses())
    assert len(exported & shared) >= 55, sorted(c.__name__ for c in exported - shared)


@pytest.mark.parametrize("cls", _sharing_dataclasses(), ids=lambda c: c.__qualname__)
def test_every_frozen_dataclass_of_the_sharing_modules_has_the_shared_methods(cls: type) -> None:
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert cls in _shared_methods._SPECS
    for name, shared in _shared_methods._SHARED.items():
        method = cls.__dict__.get(name)
        assert method is shared or not _shared_methods._compiled_by_dataclasses(method), name
    assert cls.__dict__["__eq__"] is _shared_methods._eq
    try:
        item = cls()  # where every field has a default
    except (TypeError, ValueError):
        return
    assert repr(item).startswith(f"{cls.__qualname__}(")
    assert item == item
    assert not item != item  # noqa: SIM202  # __ne__ from the shared __eq__
    hash_outcome = _outcome(hash, item)
    assert hash_outcome[0] in ("ok", "TypeError")  # a field may hold a list or dict
