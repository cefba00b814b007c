"""The CLI as a new user meets it (issue: "the first hour of a new user").

Ctrl-C at the chat prompt (a real SIGINT, with a terminal and with a pipe that stays open),
Ctrl-D, the reconnecting state, the error line of a broken session, ``--version``, a clean
``--help``, ``--port`` validation, an empty ``GEMINI_API_KEY``, ``demo --base-url`` against a
running ``gemini-live emulator``, and the emulator's connection log and exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gemini_live
from gemini_live import GenerationConfig, LiveConfig, TextDelta, TurnComplete
from gemini_live.cli import describe_error
from gemini_live.errors import SessionBroken
from gemini_live.testing import Emulator, Fault
from tests.cli.interactive import Interactive
from tests.cli.runner import CLI, cli_env, run_cli, run_cli_async, run_main
from tests.docs.zygote import forkable, run_blocking

EXIT_LIMIT = 15.0  # seconds from Ctrl-C to exit; a clean exit takes well under one

# --------------------------------------------------------------------------- chat: Ctrl-C / Ctrl-D


def test_ctrl_c_at_the_prompt_in_a_terminal_exits_130_at_once() -> None:
    chat = Interactive(("chat",), tty=True)
    try:
        chat.expect("you> ")
        chat.write("hello\n")
        chat.expect("model> Echo: hello")
        chat.expect("you> ")
        chat.interrupt()
        assert chat.wait(EXIT_LIMIT) == 130
    finally:
        chat.close()
    # The terminal echoed ^C after the prompt; that line is ended, so the shell's prompt starts
    # on a line of its own.
    assert chat.text.endswith("you> ^C\n"), chat.text[-80:]
    assert "Traceback" not in chat.text


def test_ctrl_c_with_piped_input_exits_130_without_waiting_for_the_pipe() -> None:
    chat = Interactive(("chat",), tty=False)
    try:
        chat.write("hello\n")  # the pipe stays open: no end of input
        chat.expect("model> Echo: hello\n")  # the turn is over: the next read starts
        time.sleep(0.3)  # a real process: give it time to be blocked reading the pipe
        chat.interrupt()
        assert chat.wait(EXIT_LIMIT) == 130
    finally:
        chat.close()
    assert "Traceback" not in chat.text


def test_ctrl_d_at_the_prompt_ends_the_line_and_exits_0() -> None:
    chat = Interactive(("chat",), tty=True)
    try:
        chat.expect("you> ")
        chat.write("\x04")  # Ctrl-D: end of input on a terminal
        assert chat.wait(EXIT_LIMIT) == 0
    finally:
        chat.close()
    assert chat.text.endswith("you> \n"), chat.text[-80:]


# --------------------------------------------------------------------------- chat: connection state


async def test_chat_shows_the_reconnection_while_it_happens() -> None:
    async with Emulator() as emu:
        # Drop TCP once the second line has arrived (the first turn left a resumable handle).
        emu.faults.next(Fault.abort(after_client_messages=2))
        proc = await asyncio.create_subprocess_exec(
            *CLI,
            "chat",
            "--base-url",
            emu.url,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=cli_env(),
        )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(b"one\n")
            await proc.stdin.drain()
            async with asyncio.timeout(30):
                assert await proc.stdout.readuntil(b"Echo: one") == b"model> Echo: one"
                # The second line must follow the first turn's resumption update: a line sent
                # while that update is in flight counts as confirmed by it on Google AI (the
                # README's documented limit) and would not be replayed.
                await _quiet(emu)
            proc.stdin.write(b"hello\n")
            proc.stdin.close()
            async with asyncio.timeout(30):
                out, err = await proc.communicate()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0, err.decode()
    second = out.decode().strip()
    assert second.startswith(
        "model> [connection lost (code 1006, closed by the network); reconnecting] "
        "[reconnecting: attempt 1 in "
    ), second
    assert "[reconnected: session resumed, 1 messages replayed] Echo: hello" in second
    assert second.endswith("Echo: hello"), second


async def _quiet(emu: Emulator, still: float = 0.3) -> None:
    """Until the emulator has sent nothing for ``still`` seconds (the caller bounds the wait)."""
    last = -1
    while last != emu.stats.frames_out:
        last = emu.stats.frames_out
        await asyncio.sleep(still)


async def test_a_broken_session_names_the_close_code_and_a_hint() -> None:
    async with Emulator() as emu:
        emu.faults.next(Fault.close(1008, "Policy violation.", at="mid_turn"))
        result = await run_cli_async("chat", "--base-url", emu.url, stdin="hello\n")
    assert result.returncode == 1
    line = result.error_line("chat")
    assert "code=1008" in line and "Policy violation." in line
    assert "closed by the server" in line
    assert "the reason above says why" in line
    # The partial answer line was ended before the error was reported (on another stream).
    assert result.stdout.startswith("model> ") and result.stdout.endswith("\n")


def test_a_dropped_connection_that_could_not_be_resumed_has_a_hint() -> None:
    error = SessionBroken("the connection ended", code=None, closed_by="network")
    line = describe_error(error, argparse.Namespace(base_url="ws://127.0.0.1:1"))
    assert line == (
        "the connection ended (no close code: the connection dropped, closed by the network); "
        "reconnecting failed: is the endpoint still up? check --base-url"
    )


# --------------------------------------------------------------------------- top level


def test_version_prints_the_package_version() -> None:
    result = run_cli("--version", fresh=True)  # the entry point in a new interpreter
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"gemini-live {gemini_live.__version__}"


def test_top_level_help_is_plain_text() -> None:
    result = run_main("--help")
    assert result.returncode == 0
    assert "``" not in result.stdout and "::" not in result.stdout
    assert "130 interrupted" in result.stdout
    assert "--version" in result.stdout


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http"])
def test_an_invalid_port_is_a_usage_error(port: str) -> None:
    result = run_main("emulator", "--port", port)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "expected a TCP port from 0 to 65535" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("name", ["GEMINI_API_KEY", "GOOGLE_API_KEY"])
def test_an_empty_key_says_so_in_the_first_line(name: str) -> None:
    result = run_cli("chat", stdin="hi\n", env=cli_env(**{name: ""}))
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first == (
        f"gemini-live: {name} is set but empty: using the built-in emulator, "
        "not the Gemini Live API"
    )
    assert "model> Echo: hi" in result.stdout


# --------------------------------------------------------------------------- the emulator command


async def _start_emulator(*extra: str) -> tuple[asyncio.subprocess.Process, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        *CLI,
        "emulator",
        "--port",
        "0",
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=cli_env(),
    )
    assert proc.stdout is not None
    lines: list[str] = []
    async with asyncio.timeout(30):
        # The hints end with an "  or ..." line (the plain and the TLS form alike).
        while not lines or not lines[-1].startswith("  or "):
            line = (await proc.stdout.readline()).decode()
            assert line, f"the emulator ended early: {lines}"
            lines.append(line.rstrip("\n"))
    assert lines[0].startswith("gemini-live emulator listening on "), lines
    return proc, lines


def _url(lines: list[str]) -> str:
    return lines[0].split(" listening on ")[1].split()[0]


async def _stop(proc: asyncio.subprocess.Process, signum: int) -> tuple[int, str, str]:
    proc.send_signal(signum)
    async with asyncio.timeout(EXIT_LIMIT):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_emulator_logs_connections_without_credentials_and_exits_130_on_ctrl_c() -> None:
    proc, lines = await _start_emulator()
    try:
        url = _url(lines)
        assert f'base_url="{url}"' in "\n".join(lines)
        config = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))
        secret = "secret-key-never-logged-42"
        async with gemini_live.connect(
            "gemini-3.8-live", base_url=url, credentials=gemini_live.ApiKey(secret), config=config
        ) as session:
            events = session.events()
            await session.send_text("ping")
            async with asyncio.timeout(10):
                async for event in events:
                    if isinstance(event, TurnComplete):
                        break
        code, out, err = await _stop(proc, signal.SIGINT)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 130
    assert "\ngemini-live emulator: stopping" in out  # on a line of its own after "^C"
    assert "emulator: connection 1: client 127.0.0.1:" in err
    assert "connected (google_ai v1beta BidiGenerateContent)" in err
    assert "connection 1: setup for gemini-3.8-live (new session)" in err
    assert "connection 1: closed (code 1000)" in err
    assert secret not in out + err


async def test_emulator_exits_0_on_sigterm() -> None:
    proc, _lines = await _start_emulator()
    try:
        code, _out, err = await _stop(proc, signal.SIGTERM)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 0, err


async def test_demo_base_url_against_the_emulator_command_makes_the_tool_call() -> None:
    proc, lines = await _start_emulator()
    try:
        result = await run_cli_async("demo", "--base-url", _url(lines))
    finally:
        await _stop(proc, signal.SIGTERM)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert '2) user: call get_weather {"city": "Paris"}' in out
    assert '[tool] get_weather({"city": "Paris"})' in out
    assert 'Result of get_weather: {"city":"Paris","sky":"clear","temp_c":18}' in out
    # The emulator's model does not repeat the demo's system instruction in its replies.
    assert "concise, friendly" not in out


# --------------------------------------------------------------------------- emulator --tls


async def test_tls_ca_file_lets_clients_connect_as_printed(tmp_path: Path) -> None:
    ca_file = tmp_path / "emulator-ca.pem"
    proc, lines = await _start_emulator("--ca-file", str(ca_file))
    try:
        url = _url(lines)
        printed = "\n".join(lines)
        assert url.startswith("wss://127.0.0.1:")
        assert ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
        assert (
            f"SSL_CERT_FILE={ca_file} GEMINI_LIVE_BASE_URL={url} GEMINI_API_KEY=any "
            "python your_app.py"
        ) in printed
        assert f'ssl.create_default_context(cafile="{ca_file}")' in printed

        # 1) in code, with ssl= as printed
        context = ssl.create_default_context(cafile=str(ca_file))
        options = gemini_live.SessionOptions(transport=gemini_live.TransportOptions(ssl=context))
        config = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))
        async with gemini_live.connect(
            "gemini-3.8-live",
            base_url=url,
            credentials=gemini_live.ApiKey("any"),
            options=options,
            config=config,
        ) as session:
            events = session.events()
            await session.send_text("over tls")
            reply = ""
            async with asyncio.timeout(10):
                async for event in events:
                    if isinstance(event, TextDelta):
                        reply += event.text
                    elif isinstance(event, TurnComplete):
                        break
        assert reply == "Echo: over tls"

        # 2) an unchanged program, with the printed environment variables only
        program = (
            "import asyncio, gemini_live\n"
            "async def main():\n"
            "    async with gemini_live.connect('gemini-3.8-live') as s:\n"
            "        print('phase', s.phase.value)\n"
            "asyncio.run(main())\n"
        )
        env = cli_env(SSL_CERT_FILE=str(ca_file), GEMINI_LIVE_BASE_URL=url, GEMINI_API_KEY="any")
        (tmp_path / "your_app.py").write_text(program, encoding="utf-8")
        # `python your_app.py`, forked from the tests' fork server (SSL_CERT_FILE is read when the
        # program makes its TLS context, not when the interpreter starts).
        if forkable(env):
            status, out, err = await asyncio.to_thread(
                run_blocking, ["your_app.py"], cwd=tmp_path, env=env, limit=60
            )
        else:
            done = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "your_app.py"],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            status, out, err = done.returncode, done.stdout, done.stderr
        assert status == 0, err
        assert out.startswith("phase ")
    finally:
        await _stop(proc, signal.SIGTERM)


async def test_tls_hints_show_the_official_sdk_connecting(tmp_path: Path) -> None:
    genai = pytest.importorskip("google.genai")
    from google.genai import types

    ca_file = tmp_path / "ca.pem"
    proc, lines = await _start_emulator("--tls", "--ca-file", str(ca_file))
    try:
        printed = "\n".join(lines)
        http_url = _url(lines).replace("wss://", "https://")
        assert f'base_url="{http_url}/", async_client_args={{"ssl": ctx}}' in printed
        ctx = ssl.create_default_context(cafile=str(ca_file))
        client = genai.Client(
            api_key="any",
            http_options=types.HttpOptions(base_url=f"{http_url}/", async_client_args={"ssl": ctx}),
        )
        config = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT])
        text = ""
        async with asyncio.timeout(20):
            async with client.aio.live.connect(model="gemini-3.8-live", config=config) as s:
                await s.send_realtime_input(text="from the sdk")
                async for message in s.receive():
                    text += message.text or ""
                    if message.server_content and message.server_content.turn_complete:
                        break
        await client.aio.aclose()
        assert text == "Echo: from the sdk"
    finally:
        await _stop(proc, signal.SIGTERM)
