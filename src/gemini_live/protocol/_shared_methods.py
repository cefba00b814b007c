"""One shared copy of the methods ``@dataclass(frozen=True)`` compiles for every class.

``dataclasses`` compiles a ``__repr__`` (plus a ``functools.wraps`` wrapper and its own recursion
set), an ``__eq__``, a ``__hash__``, a ``__setattr__`` and a ``__delattr__`` from source text for
each frozen dataclass: about 8.5 KB of code objects, closures and strings per class (measured
with tracemalloc on 5-field classes), kept for the life of the process. The package defines about
a hundred such types (events, config, wire messages), and a session loads most of them.
:func:`share_methods` swaps them, class by class, for the module-level functions below, which
behave as the generated ones (same output, same ``NotImplemented``, same ``FrozenInstanceError``
messages, same ``"..."`` for a recursive repr), driven by each class's own
``dataclasses.fields``. One difference, on purpose: assigning a name that is not a field to an
instance of a slotted class raises ``FrozenInstanceError`` (the compiled method fails with a
``TypeError`` from ``super()`` there, a CPython defect up to 3.13 at least: it closes over the
class as it was before ``slots=True`` rebuilt it). The class stays the dataclass it was:
``__init__``, ``__match_args__``, ``__dataclass_fields__``/``__dataclass_params__``, slots,
pickling and ``dataclasses.replace`` are untouched. A method written in the class body is never
replaced (only the compiled ones, which ``dataclasses`` builds with ``exec`` and so carry the file
name ``"<string>"``). ``tests/protocol/test_shared_methods.py`` compares both on sample classes.
"""

from __future__ import annotations

import _thread
from collections.abc import Callable, Iterable
from dataclasses import FrozenInstanceError, fields, is_dataclass
from operator import attrgetter
from typing import Any

__all__ = ["share_methods"]


class _Spec:
    """What the generated methods of one class had compiled in: its field names, by role."""

    __slots__ = ("compare", "hash", "names", "repr")

    def __init__(self, cls: type) -> None:
        real = fields(cls)  # only real fields: no ClassVar, no InitVar (as dataclasses does)
        self.repr = tuple(f.name for f in real if f.repr)
        self.compare = _tuple_getter(tuple(f.name for f in real if f.compare))
        self.hash = _tuple_getter(
            tuple(f.name for f in real if (f.compare if f.hash is None else f.hash))
        )
        self.names = tuple(f.name for f in real)


def _tuple_getter(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    # Always a tuple, as the generated code compares and hashes one: tuples compare items by
    # identity first, so a 1-field class holding a NaN must compare as a 1-tuple, not a value.
    if len(names) > 1:
        getter: Callable[[object], tuple[Any, ...]] = attrgetter(*names)
        return getter
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


# Each class's _Spec, made at its first repr/eq/hash/setattr (most classes never get one: a
# session streaming audio compares or prints few of its events): None until then.
_SPECS: dict[type, _Spec | None] = {}
_REPR_RUNNING: set[tuple[int, int]] = set()


def _spec_of(cls: type) -> _Spec:
    spec = _SPECS[cls]
    if spec is None:
        spec = _SPECS[cls] = _Spec(cls)
    return spec


def _owner_of(cls: type, method: str, function: object) -> type:
    """The class whose (shared) ``method`` is running: the one the generated code closed over."""
    if cls.__dict__.get(method) is function:
        return cls  # share_methods put it there, so cls is in _SPECS
    # A subclass that inherits the method (rare): the generated method used its owner's fields.
    for klass in cls.__mro__[1:]:
        if klass.__dict__.get(method) is function and klass in _SPECS:
            return klass
    raise TypeError(f"{cls.__qualname__}.{method} is not a shared dataclass method")


def _spec(cls: type, method: str, function: object) -> _Spec:
    return _spec_of(_owner_of(cls, method, function))


def _repr(self: object) -> str:
    key = id(self), _thread.get_ident()
    if key in _REPR_RUNNING:
        return "..."
    _REPR_RUNNING.add(key)
    try:
        names = _spec(type(self), "__repr__", _repr).repr
        body = ", ".join([f"{name}={getattr(self, name)!r}" for name in names])
        return f"{self.__class__.__qualname__}({body})"
    finally:
        _REPR_RUNNING.discard(key)


def _eq(self: object, other: object) -> Any:
    if other.__class__ is self.__class__:
        compare = _spec(type(self), "__eq__", _eq).compare
        return compare(self) == compare(other)
    return NotImplemented


def _hash(self: object) -> int:
    return hash(_spec(type(self), "__hash__", _hash).hash(self))


def _setattr(self: object, name: str, value: object) -> None:
    cls = type(self)
    owner = _owner_of(cls, "__setattr__", _setattr)
    if cls is owner or name in _spec_of(owner).names:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    super(owner, self).__setattr__(name, value)  # type: ignore[arg-type]


def _delattr(self: object, name: str) -> None:
    cls = type(self)
    owner = _owner_of(cls, "__delattr__", _delattr)
    if cls is owner or name in _spec_of(owner).names:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
    super(owner, self).__delattr__(name)  # type: ignore[arg-type]


_SHARED: dict[str, Callable[..., Any]] = {
    "__repr__": _repr,
    "__eq__": _eq,
    "__hash__": _hash,
    "__setattr__": _setattr,
    "__delattr__": _delattr,
}


def _compiled_by_dataclasses(method: object) -> bool:
    # The repr is wrapped (functools.wraps) by dataclasses' recursion guard: look inside.
    method = getattr(method, "__wrapped__", method)
    code = getattr(method, "__code__", None)
    return code is not None and code.co_filename == "<string>"


def share_methods(classes: Iterable[object], *, module: str | None = None) -> None:
    """Give each frozen dataclass among ``classes`` the shared methods (others are skipped).

    A module calls it once, after its classes: ``share_methods(globals().values(),
    module=__name__)``; ``module`` keeps out the classes it imported from elsewhere.
    """
    for cls in classes:
        if not (isinstance(cls, type) and is_dataclass(cls)):
            continue
        if module is not None and cls.__module__ != module:
            continue
        if not cls.__dataclass_params__.frozen or cls in _SPECS:  # type: ignore[attr-defined]
            continue
        _SPECS[cls] = None
        for name, shared in _SHARED.items():
            if _compiled_by_dataclasses(cls.__dict__.get(name)):
                setattr(cls, name, shared)
