"""Positional constructors for the events the decoder creates per frame, two to three times as fast.

A frozen dataclass's generated ``__init__`` sets each field with ``object.__setattr__`` (frozen
classes cannot assign normally), which is most of an event's cost on the receive path: 0.8 µs for
``Usage``, 0.4 µs for ``AudioChunk`` on CPython 3.11. :func:`maker` returns a function that fills
a *twin* of the class instead: a private subclass that adds nothing to it (``__slots__ = ()``, so
the very same memory layout) and puts back ``object``'s own ``__init__``, ``__setattr__`` and
``__delattr__``, so that its attributes are stored by the interpreter's specialised slot store;
the instance is then moved to the event class with one ``__class__`` assignment (allowed between
classes of identical layout). The result is indistinguishable from an instance built by the class
(same type, same field values; equality, hashing, repr, pickling and immutability unchanged). A
subclass rather than a look-alike class with the same ``__slots__``: the move from a subclass that
adds nothing is the interpreter's cheapest layout check (about 15 ns less per event measured on
CPython 3.11, ``benchmarks/bench_decode_steps.py``), and the layout is inherited, never copied,
so a slotted base class or a ``__weakref__`` slot need no special case. The one trace of a twin
outside this module: it is listed by its event class's ``__subclasses__()``.

It is only used for a class whose fields it can see completely (slots, no ``__post_init__``, no
field without ``init``, the ``object`` constructor and metaclass ``type``) and whose field count
is the arity asked for; otherwise it returns the class itself, so a field added to an event later
costs speed, never correctness. If the interpreter refuses the ``__class__`` move, it falls back
to setting each slot through its descriptor (slower, same result).

:func:`twin` gives that twin class itself, for a reader that builds several events in one
function and would pay a call per event through a maker (about a tenth of a small frame's cost):
it sets the slots and moves the class inline. It returns ``None`` where the move is refused;
such a reader then keeps a maker-based path.
Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, TypeVar

__all__ = ["maker", "twin"]

_T = TypeVar("_T")

_new: Any = object.__new__  # also compared with a class's __new__


def maker(cls: type[_T], arity: int) -> Callable[..., _T]:
    """A function taking ``arity`` positional values (all fields, in order) -> ``cls`` instance."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # checked: events are dataclasses
    if (
        len(fields) != arity
        or hasattr(cls, "__post_init__")
        or not all(f.init for f in fields)
        or "__slots__" not in cls.__dict__
    ):
        return cls
    names = [f.name for f in fields]
    fast = _twin_maker(cls, names)
    if fast is not None:
        return fast
    return _descriptor_maker(cls, names)


def twin(cls: type[Any]) -> type[Any] | None:
    """The twin of event class ``cls`` (a subclass adding no slot, with ``object``'s
    ``__init__``/``__setattr__``), checked once to move to ``cls``; ``None`` if ``cls`` is not
    such an event or the move is refused. Usage: ``o = _Twin(); o.field = value; ...;
    o.__class__ = cls`` (every field set)."""
    try:
        fields = dataclasses.fields(cls)
    except TypeError:
        return None
    if (
        hasattr(cls, "__post_init__")
        or not all(f.init for f in fields)
        or "__slots__" not in cls.__dict__
    ):
        return None
    return _twin_class(cls, [f.name for f in fields])


def _twin_class(cls: type[Any], names: list[str]) -> type[Any] | None:
    if (
        type(cls) is not type
        or cls.__new__ is not _new
        or not all(n.isidentifier() and not keyword.iskeyword(n) for n in names)
        or not all(type(_slot(cls, n)) is MemberDescriptorType for n in names)
    ):
        return None
    try:
        made: type[Any] = type(
            f"_{cls.__name__}Twin",
            (cls,),
            {
                "__slots__": (),  # nothing added: the class's own layout
                "__init__": object.__init__,
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__module__": __name__,
            },
        )
        probe = made()
        for name in names:
            setattr(probe, name, None)
        probe.__class__ = cls  # the interpreter checks the layouts on the move: try it once here
    except (TypeError, AttributeError):  # refused (AttributeError: a store the class forbids)
        return None
    return made if type(probe) is cls else None


def _twin_maker(cls: type[Any], names: list[str]) -> Callable[..., Any] | None:
    made = _twin_class(cls, names)
    if made is None:
        return None
    params = ", ".join(f"v{i}" for i in range(len(names)))
    stores = "".join(f"    o.{name} = v{i}\n" for i, name in enumerate(names))
    # A plain ``o.__class__ = cls`` measured cheaper than calling the descriptor's __set__.
    source = f"def make({params}):\n    o = _twin()\n{stores}    o.__class__ = _cls\n    return o\n"
    namespace: dict[str, Any] = {"_twin": made, "_cls": cls}
    exec(source, namespace)  # generated from the class's own field names only
    make: Callable[..., Any] = namespace["make"]
    make.__qualname__ = f"maker({cls.__name__})"
    return make


def _descriptor_maker(cls: type[Any], names: list[str]) -> Callable[..., Any]:
    descriptors = [_slot(cls, name) for name in names]
    if not all(type(d) is MemberDescriptorType for d in descriptors):
        return cls  # a field that is not a plain slot: the class's own constructor
    setters = [d.__set__ for d in descriptors]

    def make(*values: Any) -> Any:
        o = _new(cls)
        for setter, value in zip(setters, values, strict=True):
            setter(o, value)
        return o

    return make


def _slot(cls: type[Any], name: str) -> Any:
    """The slot descriptor of field ``name`` (declared on ``cls`` or a base), else ``None``."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None
