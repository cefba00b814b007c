"""Declarations from Python code: golden schemas, docstring styles, overrides, refusals."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Annotated, Any, Literal, Optional, TypedDict

import pytest

from gemini_live import FunctionDeclaration, LiveConfig, Tool
from gemini_live.tools import Toolbox, make_function, parse_docstring
from gemini_live.tools.schema import to_openapi


class Unit(enum.Enum):
    C = "C"
    F = "F"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Point:
    """A place.

    Attributes:
        lat: Latitude in degrees.
        lon: Longitude in degrees.
    """

    lat: float
    lon: float
    label: str = ""


@dataclasses.dataclass
class Node:
    child: Node | None = None


def _address() -> type[Any]:
    """The pydantic model the tests use, defined at first use: importing pydantic when each
    xdist worker collects this module would cost every worker about 0.15 s."""
    import pydantic

    class Address(pydantic.BaseModel):
        street: str = pydantic.Field(description="Street and number.")
        zip_code: str | None = None

    globals()["Address"] = Address  # for annotations that name it (resolved at call time)
    return Address


def __getattr__(name: str) -> Any:  # ``declarations.Address`` from test_runner
    if name == "Address":
        return _address()
    raise AttributeError(name)


class Filters(TypedDict, total=False):
    tags: list[str]
    limit: int


def decl(fn: Any, **options: Any) -> FunctionDeclaration:
    return make_function(fn, **options).declaration()


def test_weather_example_golden() -> None:
    async def get_weather(city: str, unit: Literal["C", "F"] = "C") -> dict[str, Any]:
        """Current weather for a city.

        Args:
            city: City name, e.g. "Paris".
            unit: Temperature unit.
        """
        return {}

    assert decl(get_weather) == FunctionDeclaration(
        name="get_weather",
        description="Current weather for a city.",
        parameters_json_schema={
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": 'City name, e.g. "Paris".'},
                "unit": {"type": "string", "enum": ["C", "F"], "description": "Temperature unit."},
            },
            "required": ["city"],
        },
    )


def test_every_supported_hint_golden() -> None:
    def everything(
        s: str,
        i: int,
        f: float,
        b: bool,
        unit: Unit,
        level: Level,
        names: list[str],
        points: Sequence[Point],
        scores: dict[str, float],
        meta: dict[str, Any],
        maybe: Optional[int],  # noqa: UP045 - the spelling under test
        either: int | str,
        tags: set[str],
        filters: Filters,
        nothing: None,
        anything: Any,
        note: Annotated[str, "A short note."],
        lit: Literal[1, 2, None] = None,
    ) -> None:
        """Does everything."""

    schema = decl(everything).parameters_json_schema
    point = {
        "type": "object",
        "properties": {
            "lat": {"type": "number", "description": "Latitude in degrees."},
            "lon": {"type": "number", "description": "Longitude in degrees."},
            "label": {"type": "string"},
        },
        "required": ["lat", "lon"],
    }
    assert schema == {
        "type": "object",
        "properties": {
            "s": {"type": "string"},
            "i": {"type": "integer"},
            "f": {"type": "number"},
            "b": {"type": "boolean"},
            "unit": {"type": "string", "enum": ["C", "F"]},
            "level": {"type": "integer", "enum": [1, 2]},
            "names": {"type": "array", "items": {"type": "string"}},
            "points": {"type": "array", "items": point},
            "scores": {"type": "object", "additionalProperties": {"type": "number"}},
            "meta": {"type": "object"},
            "maybe": {"type": ["integer", "null"]},
            "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "filters": {
                "type": "object",
                "properties": {
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "limit": {"type": "integer"},
                },
            },
            "nothing": {"type": "null"},
            "anything": {},
            "note": {"type": "string", "description": "A short note."},
            "lit": {"type": ["integer", "null"], "enum": [1, 2, None]},
        },
        "required": [
            "s", "i", "f", "b", "unit", "level", "names", "points", "scores", "meta", "maybe",
            "either", "tags", "filters", "nothing", "anything", "note",
        ],
    }  # fmt: skip


def test_pydantic_model_without_refs() -> None:
    pytest.importorskip("pydantic")
    Address = _address()  # also a module global: the annotation below is resolved there

    def ship(to: Address) -> None:
        """Ship it."""

    schema = decl(ship).parameters_json_schema
    assert schema == {
        "type": "object",
        "properties": {
            "to": {
                "type": "object",
                "properties": {
                    "street": {"type": "string", "description": "Street and number."},
                    "zip_code": {"type": ["string", "null"]},
                },
                "required": ["street"],
            }
        },
        "required": ["to"],
    }


def test_docstring_styles_give_the_same_declaration() -> None:
    def google(city: str, days: int = 1) -> None:
        """Forecast for a city.

        Longer text that explains
        more.

        Args:
            city: The city,
                spelled in English.
            days (int): How many days.

        Returns:
            A forecast.
        """

    def numpy(city: str, days: int = 1) -> None:
        """Forecast for a city.

        Longer text that explains
        more.

        Parameters
        ----------
        city : str
            The city,
            spelled in English.
        days : int, optional
            How many days.

        Returns
        -------
        dict
        """

    def rest(city: str, days: int = 1) -> None:
        """Forecast for a city.

        Longer text that explains
        more.

        :param city: The city,
            spelled in English.
        :param int days: How many days.
        :returns: A forecast.
        """

    expected = parse_docstring(google.__doc__)
    assert expected.description == "Forecast for a city.\n\nLonger text that explains\nmore."
    assert expected.params == {"city": "The city, spelled in English.", "days": "How many days."}
    assert parse_docstring(numpy.__doc__) == expected
    assert parse_docstring(rest.__doc__) == expected
    assert decl(google) == decl(numpy, name="google") == decl(rest, name="google")


def test_no_docstring_and_no_parameters() -> None:
    def ping() -> str:
        return "pong"

    assert decl(ping) == FunctionDeclaration(name="ping")


def test_explicit_overrides() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}

    def search(q: str) -> list[str]:
        """Old text."""
        return []

    assert decl(
        search,
        name="find",
        description="Find documents.",
        parameters=schema,
        behavior="NON_BLOCKING",
    ) == FunctionDeclaration(
        name="find",
        description="Find documents.",
        parameters_json_schema=schema,
        behavior="NON_BLOCKING",
    )
    described = decl(search, param_descriptions={"q": "The query."})
    assert described.parameters_json_schema is not None
    assert described.parameters_json_schema["properties"]["q"]["description"] == "The query."


def test_async_generator_is_non_blocking_and_refuses_blocking() -> None:
    async def progress(n: int) -> AsyncIterator[int]:
        yield n

    assert decl(progress).behavior == "NON_BLOCKING"
    with pytest.raises(TypeError, match="only NON_BLOCKING"):
        make_function(progress, behavior="BLOCKING")


def test_openapi_form() -> None:
    def f(unit: Unit, maybe: int | None, points: list[Point], scores: Mapping[str, int]) -> None:
        """F."""

    box = Toolbox(schema_form="openapi")
    box.add(f)
    (tool,) = box.declarations()
    params = tool.function_declarations[0].parameters
    assert tool.function_declarations[0].parameters_json_schema is None
    assert params == {
        "type": "OBJECT",
        "properties": {
            "unit": {"type": "STRING", "enum": ["C", "F"]},
            "maybe": {"type": "INTEGER", "nullable": True},
            "points": {
                "type": "ARRAY",
                "items": {
                    "type": "OBJECT",
                    "properties": {
                        "lat": {"type": "NUMBER", "description": "Latitude in degrees."},
                        "lon": {"type": "NUMBER", "description": "Longitude in degrees."},
                        "label": {"type": "STRING"},
                    },
                    "required": ["lat", "lon"],
                },
            },
            "scores": {"type": "OBJECT"},
        },
        "required": ["unit", "maybe", "points", "scores"],
    }
    assert to_openapi({"anyOf": [{"type": "string"}, {"type": "null"}]}) == {
        "type": "STRING",
        "nullable": True,
    }


def test_declarations_feed_live_config() -> None:
    tools = Toolbox()

    @tools.function
    def a(x: int) -> int:
        return x

    @tools.function(name="b_tool", behavior="NON_BLOCKING", scheduling="SILENT")
    async def b() -> None:
        return None

    config = LiveConfig(tools=tools.declarations())
    assert config.tools == tools.declarations()
    assert isinstance(config.tools[0], Tool)
    assert [d.name for d in config.tools[0].function_declarations] == ["a", "b_tool"]
    assert a(2) == 2  # the decorator returns the function unchanged
    assert Toolbox().declarations() == ()


class Opaque:
    pass


@pytest.mark.parametrize(
    ("hint", "match"),
    [
        (Opaque, "Opaque"),
        (list, "item type"),
        (tuple[int, str], r"tuple\[X, \.\.\.\]"),
        (dict[int, str], "keys are strings"),
        (Literal["a", 1], "all values must be"),
        (bytes, "bytes"),
    ],
)
def test_inexpressible_hints_are_type_errors(hint: Any, match: str) -> None:
    def f(x: Any) -> None:
        pass

    f.__annotations__["x"] = hint
    with pytest.raises(TypeError, match=match) as info:
        make_function(f)
    assert "parameter 'x'" in str(info.value)


def test_signature_problems_are_type_errors() -> None:
    def no_hint(x) -> None:  # type: ignore[no-untyped-def]
        pass

    def star(*args: int) -> None:
        pass

    def positional(x: int, /) -> None:
        pass

    def gen(x: int) -> Any:
        yield x

    def tree(root: Node) -> None:
        pass

    for fn, match in (
        (no_hint, "no type hint"),
        (star, r"\*args"),
        (positional, "positional-only"),
        (gen, "async generator"),
        (tree, "recursive"),
    ):
        with pytest.raises(TypeError, match=match):
            make_function(fn)
    with pytest.raises(TypeError, match="callable"):
        make_function(42)  # type: ignore[arg-type]


def test_bad_options_are_value_errors() -> None:
    def f() -> None:
        pass

    with pytest.raises(ValueError, match="not a valid function name"):
        make_function(f, name="has space")
    with pytest.raises(ValueError, match="behavior"):
        make_function(f, behavior="SOMETIMES")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="did you mean 'INTERRUPT'"):
        make_function(f, scheduling="INTERRUPTED")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NON_BLOCKING tools only"):
        make_function(f, behavior="BLOCKING", scheduling="SILENT")
    with pytest.raises(ValueError, match="deadline"):
        make_function(f, deadline=0)
    with pytest.raises(ValueError, match="unknown parameter"):
        make_function(f, param_descriptions={"y": "?"})
    tools = Toolbox()
    tools.add(f)
    with pytest.raises(ValueError, match="already"):
        tools.add(f)


class Agent:
    def __init__(self) -> None:
        self.prefix = "hi "

    async def greet(self, name: str) -> str:
        """Greet someone."""
        return self.prefix + name


class Counter:
    async def __call__(self, step: int = 1) -> int:
        """Count."""
        return step


def test_bound_methods_and_callable_objects() -> None:
    agent = Agent()
    greet = make_function(agent.greet)
    assert greet.kind == "async"
    assert greet.declaration() == FunctionDeclaration(
        name="greet",
        description="Greet someone.",
        parameters_json_schema={
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "required": ["name"],
        },
    )
    counter = make_function(Counter(), name="count")
    assert counter.kind == "async"
    assert counter.parameters == {"type": "object", "properties": {"step": {"type": "integer"}}}
    with pytest.raises(TypeError, match="'self' has no type hint"):
        make_function(Agent.greet)


def test_declarations_check_behaviors_against_the_model() -> None:
    tools = Toolbox()

    @tools.function(behavior="NON_BLOCKING")
    async def background() -> None:
        pass

    @tools.function(behavior="BLOCKING")
    async def foreground() -> None:
        pass

    assert tools.declarations(model="gemini-3.8-live")
    assert tools.declarations(model="gemini-2.5-flash-native-audio-preview-12-2025")
    with pytest.raises(ValueError, match=r"synchronously only: tool\(s\) \['background'\]"):
        tools.declarations(model="models/gemini-3.1-flash-live-preview")
    with pytest.raises(ValueError, match=r"asynchronously only: tool\(s\) \['foreground'\]"):
        tools.declarations(model="gemini-3.8-live-extended-thinking")
