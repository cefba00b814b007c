"""The root conftest's reordering for pytest-xdist's worksteal scheduler keeps every test and
balances the scheduler's first split by time."""

from __future__ import annotations

import re
from pathlib import Path

import conftest


def test_the_first_split_is_balanced_and_no_test_is_lost() -> None:
    # 100 tests: 7 slow ones of 5 s (one module), 4 of 2 s, the rest fast; 3 workers.
    items = [f"fast{i}" for i in range(89)]
    items[10:10] = [f"browser{i}" for i in range(7)]
    items[60:60] = [f"mcp{i}" for i in range(4)]
    weights = {**{f"browser{i}": 5.0 for i in range(7)}, **{f"mcp{i}": 2.0 for i in range(4)}}

    ordered = conftest.balanced(items, 3, lambda item: weights.get(item, conftest.DEFAULT))

    assert sorted(ordered) == sorted(items) and len(ordered) == len(items)
    slices = [ordered[0:33], ordered[33:66], ordered[66:100]]  # how worksteal splits 100 by 3
    times = [sum(weights.get(t, conftest.DEFAULT) for t in piece) for piece in slices]
    assert max(times) - min(times) <= 5.0, times  # no slice holds most of the slow tests
    for piece in slices:  # slow tests first, longest first; then the fast ones in order
        slow = [t for t in piece if t in weights]
        assert piece[: len(slow)] == sorted(slow, key=lambda t: -weights[t])
        fast = [t for t in piece if t not in weights]
        assert fast == sorted(fast, key=items.index)


def test_a_single_worker_keeps_the_collection_order() -> None:
    items = ["a", "b", "c"]
    assert conftest.balanced(items, 1, lambda item: 9.0) == items


def test_a_group_stays_in_one_slice() -> None:
    items = [f"t{i}" for i in range(30)]
    heavy = {"t3", "t4", "t5", "t6"}  # one module whose package is costly to import
    ordered = conftest.balanced(
        items,
        3,
        lambda item: 2.0 if item in heavy or item == "t20" else conftest.DEFAULT,
        lambda item: "heavy" if item in heavy else None,
    )
    assert sorted(ordered) == sorted(items)
    slices = [set(ordered[0:10]), set(ordered[10:20]), set(ordered[20:30])]
    assert sum(1 for piece in slices if piece & heavy) == 1
    assert not any("t20" in piece and piece & heavy for piece in slices)  # dealt elsewhere


def test_each_worker_is_told_the_scheduler() -> None:
    # A worker's own `dist` option reads "no": the controller passes the real one along.
    class Config:
        def getoption(self, name: str) -> str:
            assert name == "dist"
            return "worksteal"

    class Node:
        config = Config()
        workerinput: dict[str, object] = {}

    node = Node()
    conftest.pytest_configure_node(node)
    assert node.workerinput[conftest.DIST_KEY] == "worksteal"


def test_every_weighted_or_grouped_test_exists() -> None:
    # A renamed test would silently lose its place at the start of the run.
    root = Path(conftest.__file__).parent
    modules = {*conftest.SECONDS_PER_MODULE, *conftest.SECONDS_PER_FUNCTION, *conftest.TOGETHER}
    functions = [
        (module, name) for module, names in conftest.SECONDS_PER_FUNCTION.items() for name in names
    ]
    for key, target in conftest.JOINS.items():
        module, _, name = key.partition("::")
        functions.append((module, name))
        assert target in conftest.TOGETHER, key
    for module in modules:
        assert (root / module).is_file(), module
    for module, name in functions:
        source = (root / module).read_text(encoding="utf-8")
        assert re.search(rf"^(async )?def {name}\(", source, re.M), f"{module}::{name}"
