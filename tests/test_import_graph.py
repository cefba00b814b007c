"""The package's import graph follows the layering in docs/CONVENTIONS.md, without cycles.

Read from the source (``ast``), not by importing: every ``import``/``from ... import`` in a
module counts, lazy ones inside functions included. The layering leaves ``if TYPE_CHECKING:``
blocks out (they never run); the cycle check counts them: a loop closed by an annotation-only
import is still two modules that cannot be understood one without the other. Function-level
imports count for cycles in the core (``protocol``, ``client``, ``errors``); elsewhere a lazy
import is how an optional extra is loaded, and is allowed to point back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gemini_live"

# Layer -> the gemini_live layers it may import (itself always allowed). Lower layers must
# never import higher ones; a layer missing here (added later, e.g. an application on the
# public API) is only checked for cycles and for not being imported by the layers below.
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "protocol": frozenset({"errors"}),
    "client": frozenset({"protocol", "errors"}),
    # Media: pure helpers plus device adapters and the wiring to a SessionWriter; never the
    # layers built on the session (tools, conversation) or the applications (cli, web).
    # ("gemini_live" is the package itself: its public API.)
    "audio": frozenset({"errors", "protocol", "client", "gemini_live"}),
    "video": frozenset({"errors", "protocol", "client", "audio", "gemini_live"}),
}
LOWER = frozenset(ALLOWED)
CORE = frozenset({"protocol", "client", "errors"})
# Pure layers: no event loop, no sockets, no clock.
PURE = {"protocol"}
FORBIDDEN_IN_PURE = {"asyncio", "websockets", "socket", "time", "selectors", "threading"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, node: ast.ImportFrom) -> list[str]:
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    targets = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        targets.append(candidate if candidate in MODULES else base)
    return targets


def _imports(
    module: str, *, top_level_only: bool, type_checking: bool = False
) -> tuple[set[str], set[str]]:
    """(gemini_live modules, other top-level packages) imported by ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    ours: set[str] = set()
    foreign: set[str] = set()

    def visit(nodes: list[ast.stmt], nested: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node) and not type_checking:
                visit(node.orelse, nested)
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = _resolve(module, node)
            else:
                names = []
            for name in names:
                (ours if name.split(".")[0] == "gemini_live" else foreign).add(name)
            if top_level_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    stmts = [c for c in children if isinstance(c, ast.stmt)]
                    for handler in children:
                        if isinstance(handler, ast.ExceptHandler):
                            stmts.extend(handler.body)
                    visit(stmts, nested or field == "body")

    visit(tree.body, False)
    return ours, {name.split(".")[0] for name in foreign}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "gemini_live"


def test_the_graph_sees_the_package() -> None:
    # Guards the test itself: an empty graph would make every check below pass vacuously.
    assert "gemini_live.protocol.live" in MODULES and "gemini_live.client.session" in MODULES
    ours, _ = _imports("gemini_live.client.session", top_level_only=False)
    assert "gemini_live.client.driver" in ours


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) in LOWER))
def test_lower_layers_import_only_what_they_may(module: str) -> None:
    layer = _layer(module)
    ours, foreign = _imports(module, top_level_only=False)
    for target in ours:
        target_layer = _layer(target)
        assert target_layer == layer or target_layer in ALLOWED[layer], (
            f"{module} ({layer}) imports {target} ({target_layer})"
        )
    if layer in PURE:
        assert not foreign & FORBIDDEN_IN_PURE, f"{module} imports {foreign & FORBIDDEN_IN_PURE}"


def test_the_emulator_is_independent_of_the_client_and_protocol() -> None:
    # On purpose: a codec bug must not hide twice (once in the client, once in the emulator).
    for module in MODULES:
        if module.startswith("gemini_live.testing.emulator"):
            ours, _ = _imports(module, top_level_only=False)
            assert not {_layer(t) for t in ours} & {"protocol", "client"}, module


# Known and owned elsewhere: Emulator.replay() imports the replay server lazily, which builds
# on the emulator's BaseServer. Listed edge by edge so that any new cycle still fails.
KNOWN_CYCLE_EDGES = {("gemini_live.testing.emulator.server", "gemini_live.testing.emulator.replay")}


def test_no_import_cycles() -> None:
    graph = {
        m: {t for t in _imports(m, top_level_only=_layer(m) not in CORE, type_checking=True)[0]
            & MODULES.keys() if (m, t) not in KNOWN_CYCLE_EDGES}
        for m in MODULES
    }  # fmt: skip
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if target == node:
                continue
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
