"""``gemini-live web``: the command serves the console against the in-process emulator."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from pathlib import Path

import aiohttp
import pytest

from gemini_live.cli import build_parser, main
from gemini_live.cli.web import run_web
from tests.docs.zygote import run_source

HELLO = {"type": "hello", "version": 1, "audio": {"format": "pcm16", "rate": 16000, "channels": 1}}


async def test_web_command_serves_the_console_and_keeps_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "AIza-cli-secret-value"
    monkeypatch.setenv("GEMINI_API_KEY", secret)
    args = build_parser().parse_args(["web", "--emulator", "--port", "0"])
    assert args.host == "127.0.0.1"
    ready = asyncio.Event()
    task = asyncio.create_task(run_web(args, ready=ready))
    try:
        async with asyncio.timeout(10):
            await ready.wait()
        out = capsys.readouterr().out
        found = re.search(r"open (http://127\.0\.0\.1:\d+/)", out)
        assert found, out
        url = found.group(1)
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                assert response.status == 200
                assert "gemini-live" in await response.text()
            async with http.ws_connect(url + "ws", origin=url.rstrip("/")) as ws:
                await ws.send_json(HELLO)
                async with asyncio.timeout(10):
                    info = await ws.receive_json()
                    while info["type"] != "ready":
                        info = await ws.receive_json()
                assert info["target"] == "emulator" and info["model"] == "gemini-3.8-live"
                assert secret not in repr(info)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert secret not in out


def test_web_command_defaults() -> None:
    args = build_parser().parse_args(["web"])
    assert (args.host, args.port, args.model) == ("127.0.0.1", 8000, "gemini-3.8-live")


def test_a_busy_port_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status = main(["web", "--emulator", "--port", str(port)])
    assert status == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("gemini-live web: error: cannot listen on 127.0.0.1:")
    assert "choose another --port" in err and "\n" not in err


# In a process of their own (forked from the tests' fork server: tests/docs/zygote.py).


def test_the_library_does_not_import_the_web_extra(tmp_path: Path) -> None:
    code = "import sys, gemini_live, gemini_live.cli; print('aiohttp' in sys.modules)"
    status, out, err = run_source(code, tmp_path)
    assert status == 0, err
    assert out.strip() == "False"


def test_without_the_extra_the_command_says_how_to_get_it(tmp_path: Path) -> None:
    # aiohttp made unimportable: one clear line, status 1.
    code = (
        "import sys; sys.modules['aiohttp'] = None\n"
        "from gemini_live.cli import main\n"
        "raise SystemExit(main(['web', '--emulator', '--port', '0']))"
    )
    status, _, err = run_source(code, tmp_path)
    assert status == 1
    assert err.strip() == (
        "gemini-live web: error: the web console needs the 'web' extra: "
        "pip install 'gemini-live[web]'"
    )
