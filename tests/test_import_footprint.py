"""``import gemini_live`` loads its public names on first use, and nothing a session does not need.

The package's ``__init__`` maps each public name to its module (PEP 562 ``__getattr__``): these
tests check that every exported name resolves to the very object of its module, that star
imports and ``dir()`` still see them all, that the map and the imports type checkers read agree,
and, in a fresh interpreter, that a session streaming audio loads no module it does not use.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import json
import pickle
import sys
from pathlib import Path

import gemini_live
from gemini_live.testing import DEFAULT_MODELS, Emulator

INIT = Path(gemini_live.__file__)


def test_every_exported_name_is_the_object_of_its_module() -> None:
    exports = gemini_live._EXPORTS
    assert sorted(gemini_live._HOME) == sorted(set(gemini_live.__all__) - {"__version__"})
    for module_name, names in exports.items():
        module = importlib.import_module(module_name)
        for name in names:
            assert getattr(gemini_live, name) is getattr(module, name), name
    chunk = gemini_live.AudioChunk(b"\x00\x01")
    assert pickle.loads(pickle.dumps(chunk)) == chunk
    assert type(pickle.loads(pickle.dumps(chunk))) is gemini_live.AudioChunk


def test_the_map_and_the_type_checking_imports_agree() -> None:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    imported: dict[str, tuple[str, ...]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                imported[statement.module] = tuple(alias.name for alias in statement.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gemini_live"):
            raise AssertionError(f"an eager import of {node.module} in gemini_live/__init__.py")
    assert imported == gemini_live._EXPORTS


def test_star_import_dir_and_unknown_names() -> None:
    namespace: dict[str, object] = {}
    exec("from gemini_live import *", namespace)
    assert set(gemini_live.__all__) <= set(namespace)
    assert set(gemini_live.__all__) <= set(dir(gemini_live))
    assert gemini_live.errors.LiveError is gemini_live.LiveError  # subpackages still reachable
    try:
        gemini_live.NoSuchName  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchName" in str(exc)
    else:
        raise AssertionError("no AttributeError")


# The child connects to the emulator, streams audio, reads a reply, and reports the modules
# loaded (beyond those of a bare interpreter) after ``import gemini_live`` and after the session.
CHILD = r"""
import asyncio, json, sys
before = set(sys.modules)
import gemini_live
bare = sorted(m for m in set(sys.modules) - before if m.startswith("gemini_live"))

async def main():
    async with gemini_live.connect(
        sys.argv[2], credentials=gemini_live.ApiKey("key"), base_url=sys.argv[1]
    ) as session:
        events = session.events()
        for _ in range(5):
            await session.send_audio(bytes(640))
        await session.send_text("hello")
        async with asyncio.timeout(10):
            async for event in events:
                if isinstance(event, gemini_live.TurnComplete):
                    break

asyncio.run(main())
print(json.dumps({"bare": bare, "session": sorted(set(sys.modules) - before)}))
"""

# Modules a streaming session has no use for: the layers above the session, the emulator, the
# extras, and the writers that compose (RecordingWriter, TeeWriter).
NOT_FOR_A_SESSION = (
    "gemini_live.client.writer",
    "gemini_live.testing",
    "gemini_live.tools",
    "gemini_live.conversation",
    "gemini_live.audio",
    "gemini_live.video",
    "gemini_live.media",
    "gemini_live.web",
    "gemini_live.cli",
    "gemini_live.protocol.server",
    "gemini_live.protocol.client_decode",
    "mcp",
    "opentelemetry",
    "numpy",
    "sounddevice",
    "google",
)


async def test_a_streaming_session_loads_only_what_it_uses() -> None:
    async with Emulator() as emulator:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CHILD,
            emulator.url,
            DEFAULT_MODELS[0],
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(60):
            out, err = await child.communicate()
    assert child.returncode == 0, err.decode()
    loaded = json.loads(out)
    assert loaded["bare"] == ["gemini_live"]
    session = loaded["session"]
    assert "gemini_live.client.connect" in session  # the child did stream
    for module in session:
        top = module.split(".")
        prefixes = {".".join(top[: i + 1]) for i in range(len(top))}
        assert not prefixes & set(NOT_FOR_A_SESSION), module
