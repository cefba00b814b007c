"""The ``gemini-live`` command, run for real in a subprocess against the emulator (offline).

Without ``GEMINI_API_KEY`` the CLI starts the emulator in-process, so its replies follow the
emulator's documented model: ``"Echo: <text>"``, ``"say X"`` -> ``"X"`` and
``"Result of NAME: <json>"`` after a tool call (the system instruction is never repeated).
"""

from __future__ import annotations

import asyncio
import re

import pytest

import gemini_live
from gemini_live import GenerationConfig, LiveConfig, TextDelta, TurnComplete
from gemini_live.audio.synth import synthesize
from gemini_live.testing import Emulator
from tests.cli.runner import (
    CLI,
    cli_env,
    closed_port,
    refusing_port,
    run_cli,
    run_cli_async,
    run_main,
)

INSTRUCTION = ""  # the emulator does not repeat the system instruction in replies
# The CLI uses no deprecated API of its own (e.g. connect(api_key=)): a warning would fail it.
STRICT = {"PYTHONWARNINGS": "error::DeprecationWarning"}
LATENCY = re.compile(
    r"latency: first output (\d+) ms, turn complete (\d+) ms; audio (\d+\.\d\d) s \((\d+) bytes\)"
)


def test_help_exits_0_and_lists_the_commands() -> None:
    result = run_main("--help")
    assert result.returncode == 0, result.stderr
    for command in ("demo", "chat", "talk", "emulator"):
        assert command in result.stdout


def test_no_command_is_a_usage_error() -> None:
    result = run_main()
    assert result.returncode == 2
    assert "usage: gemini-live" in result.stderr


# --------------------------------------------------------------------------- demo


def test_demo_shows_four_turns_with_latency() -> None:
    result = run_cli("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "built-in emulator" in out

    sections = re.split(r"\n(?=\d\) user)", out)
    assert [s[:2] for s in sections[1:]] == ["1)", "2)", "3)", "4)"]
    first, tool, story, after = sections[1:]

    # 1: a text question, answered with audio and its transcript.
    assert f"model: {INSTRUCTION}Echo: Hello! Who are you?" in first
    # 2: the tool call, answered by the local function, whose result the model speaks.
    assert (
        '[tool] get_weather({"city": "Paris"}) -> {"city": "Paris", "temp_c": 18, "sky": "clear"}'
        in tool
    )
    assert (
        f'{INSTRUCTION}Result of get_weather: {{"city":"Paris","sky":"clear","temp_c":18}}' in tool
    )
    # 3: the story is cut off by the barge-in.
    assert "[user barges in]" in story and "[interrupted]" in story
    assert "Echo: Tell me a long story" not in story
    # 4: the answer after the barge-in.
    assert "4) user (barging in): Stop. Just say OK." in after
    assert f"model: {INSTRUCTION}Echo: Stop. Just say OK." in after

    latencies = [LATENCY.search(s) for s in (first, tool, story, after)]
    assert all(latencies), out
    audio_bytes = [int(m.group(4)) for m in latencies if m]
    # The emulator speaks with the package's synthesizer: complete answers have a known length.
    full = [
        f"{INSTRUCTION}Echo: Hello! Who are you?",
        f'{INSTRUCTION}Result of get_weather: {{"city":"Paris","sky":"clear","temp_c":18}}',
        f"{INSTRUCTION}Echo: Tell me a long story about the sea.",
        f"{INSTRUCTION}Echo: Stop. Just say OK.",
    ]
    expected = [len(synthesize(text, 24_000)) for text in full]
    assert [audio_bytes[i] for i in (0, 1, 3)] == [expected[i] for i in (0, 1, 3)]
    assert 0 < audio_bytes[2] < expected[2] // 2  # the story was cut off early
    for match in latencies:
        assert match is not None
        assert int(match.group(1)) <= int(match.group(2))  # first output before completion
    assert re.search(r"Done: \d+ messages sent, \d+ frames received", out)


# --------------------------------------------------------------------------- chat


def test_chat_from_a_pipe_answers_every_line_and_exits_at_eof() -> None:
    lines = ["hello", "", "say good night", 'call get_weather {"city": "Tokyo"}', "recap"]
    result = run_cli("chat", stdin="\n".join(lines) + "\n", env=cli_env(**STRICT))
    assert result.returncode == 0, result.stderr
    assert "you>" not in result.stdout  # no prompts when stdin is not a terminal
    replies = [line for line in result.stdout.splitlines() if line.startswith("model> ")]
    assert replies == [
        "model> Echo: hello",
        "model> good night",
        "model> ",  # the tool call: the local function's result follows on its own lines
        'model> Recap: hello | say good night | call get_weather {"city": "Tokyo"}',
    ]
    assert (
        '[tool] get_weather({"city": "Tokyo"}) -> {"city": "Tokyo", "temp_c": 22, "sky": "clear"}'
        in result.stdout
    )
    assert 'Result of get_weather: {"city":"Tokyo","sky":"clear","temp_c":22}' in result.stdout


def test_chat_with_empty_input_exits_0() -> None:
    result = run_cli("chat", stdin="")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("command", ["demo", "chat"])
def test_unreachable_host_is_one_helpful_line(command: str) -> None:
    with refusing_port() as port:
        result = run_cli(command, "--base-url", f"ws://127.0.0.1:{port}")
    assert result.returncode == 1
    line = result.error_line(command)
    assert f"could not connect to ws://127.0.0.1:{port}/" in line
    assert "check --base-url" in line


def test_wrong_model_shows_the_not_found_reason() -> None:
    result = run_cli("demo", "--model", "no-such-model")
    assert result.returncode == 1
    line = result.error_line("demo")
    assert "code=1008" in line
    assert "Requested entity was not found." in line
    assert "'no-such-model'" in line and "--model" in line


@pytest.mark.parametrize("via", ["flag", "environment"])
async def test_base_url_and_api_key_reach_the_given_endpoint(via: str) -> None:
    key = "key-for-the-test-emulator"
    async with Emulator(api_keys=frozenset({key})) as emu:
        args = ["chat", "--base-url", emu.url]
        env = cli_env(**STRICT)
        if via == "flag":
            args += ["--api-key", key]
        else:
            env["GEMINI_API_KEY"] = key
        result = await run_cli_async(*args, stdin="hello from the cli\n", env=env)
        assert result.returncode == 0, result.stderr
        assert "model> Echo: hello from the cli" in result.stdout
        (session,) = emu.sessions
        assert [c.payload for c in session.consumed if c.kind == "realtimeInput"] == [
            {"text": "hello from the cli"}
        ]


async def test_a_refused_api_key_is_one_line_without_the_key() -> None:
    secret = "wrong-key-0123456789"
    async with Emulator(api_keys=frozenset({"the-right-key"})) as emu:
        result = await run_cli_async("chat", "--base-url", emu.url, "--api-key", secret)
    assert result.returncode == 1
    line = result.error_line("chat")
    assert "API key not valid" in line
    assert "--api-key" in line
    assert secret not in result.stdout + result.stderr


# --------------------------------------------------------------------------- emulator


async def _read_line(stream: asyncio.StreamReader) -> str:
    async with asyncio.timeout(30):
        return (await stream.readline()).decode()


async def test_emulator_command_serves_until_terminated() -> None:
    port = closed_port()
    proc = await asyncio.create_subprocess_exec(
        *CLI,
        "emulator",
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=cli_env(),
    )
    try:
        assert proc.stdout is not None
        first = await _read_line(proc.stdout)
        assert first.startswith(f"gemini-live emulator listening on ws://127.0.0.1:{port}")

        config = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))
        url = f"ws://127.0.0.1:{port}"
        async with gemini_live.connect(
            "gemini-3.8-live", base_url=url, credentials=gemini_live.ApiKey("any"), config=config
        ) as session:
            events = session.events()
            await session.send_text("ping")
            reply = ""
            async with asyncio.timeout(10):
                async for event in events:
                    if isinstance(event, TextDelta):
                        reply += event.text
                    elif isinstance(event, TurnComplete):
                        break
        assert reply == "Echo: ping"

        proc.terminate()
        async with asyncio.timeout(15):
            out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        assert "stopping" in out.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_emulator_command_reports_a_busy_port() -> None:
    async with Emulator() as emu:
        port = emu.port
        result = await run_cli_async("emulator", "--port", str(port))
    assert result.returncode == 1
    line = result.error_line("emulator")
    assert str(port) in line and "in use" in line
