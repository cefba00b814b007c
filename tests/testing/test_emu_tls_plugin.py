"""TLS, the standalone serve() helper and the pytest plugin."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import textwrap
from pathlib import Path

import pytest

from gemini_live.testing.emulator import Emulator, serve
from gemini_live.testing.emulator.tls import (
    TlsMaterial,
    _with_openssl,
    client_context,
    generate_self_signed,
    server_context,
)
from tests.docs.snippets import UNSET_LOOP_SCOPE, UNUSED_PLUGINS
from tests.testing.emu_client import RawClient

pytest_plugins = ["pytester"]


async def test_tls_with_the_exposed_context(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(tls=True)
    assert emu.url.startswith("wss://127.0.0.1:")
    assert emu.http_url.startswith("https://127.0.0.1:")
    assert emu.cert_path is not None and emu.cert_path.read_text().startswith("-----BEGIN")
    client = await RawClient.open(emu.url_for(), ssl=emu.ssl_context)
    assert "setupComplete" in await client.setup()
    await client.close()
    # A client that does not trust the certificate fails the handshake.
    with pytest.raises(ssl.SSLCertVerificationError):
        await RawClient.open(emu.url_for(), ssl=ssl.create_default_context())
    # The same certificate works from a PEM file (what SSL_CERT_FILE would point to).
    by_file = ssl.create_default_context(cafile=str(emu.cert_path))
    client = await RawClient.open(emu.url_for(), ssl=by_file)
    assert "setupComplete" in await client.setup()
    await client.close()


async def test_tls_with_given_files_and_cleanup(tmp_path: Path) -> None:
    material = generate_self_signed(tmp_path)
    async with Emulator(tls=(str(material.cert_path), str(material.key_path))) as emu:
        assert emu.cert_path == material.cert_path
        client = await RawClient.open(emu.url_for(), ssl=client_context(material))
        assert "setupComplete" in await client.setup()
        await client.close()
    generated = Emulator(tls=True)
    await generated.start()
    cert = generated.cert_path
    assert cert is not None and cert.exists()
    await generated.stop()
    assert not cert.exists()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")
def test_openssl_fallback(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    assert _with_openssl(cert, key)
    material = TlsMaterial(cert, key)
    assert isinstance(server_context(material), ssl.SSLContext)
    assert isinstance(client_context(material), ssl.SSLContext)


async def test_serve_runs_until_cancelled() -> None:
    started: asyncio.Future[Emulator] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(ready=started.set_result, audio_pace=0.0))
    async with asyncio.timeout(5):
        emu = await started
    assert emu.options.audio_pace == 0.0 and emu.host == "127.0.0.1"
    client = await RawClient.open(emu.url_for())
    assert "setupComplete" in await client.setup()
    await client.close()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await task


@pytest.mark.live_emulator(audio_pace=0.04, connection_lifetime=None)
async def test_fixture_takes_options_from_the_marker(live_emulator: Emulator) -> None:
    assert live_emulator.options.audio_pace == 0.04
    assert live_emulator.options.connection_lifetime is None
    assert live_emulator.url.startswith("ws://127.0.0.1:")


async def test_factory_fixture_starts_several(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    a = await live_emulator_factory()
    b = await live_emulator_factory(text_pace=0.0)
    assert a.port != b.port


# A project of its own, run in this process: a fresh pytest configuration that loads the plugin
# through the package's pytest11 entry point (a subprocess cost ~0.4 s of CPU more). Its
# pytest-asyncio warns that the project leaves the fixtures' loop scope unset: not ours to show.
@pytest.mark.filterwarnings(UNSET_LOOP_SCOPE)
def test_plugin_in_a_user_project(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(
        test_user=textwrap.dedent("""
        import json
        from websockets.asyncio.client import connect

        async def test_three_lines(live_emulator):
            async with connect(live_emulator.url_for() + "?key=k") as ws:
                await ws.send(json.dumps({"setup": {"model": "models/gemini-3.8-live"}}))
                assert "setupComplete" in json.loads(await ws.recv())
    """)
    )
    result = pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", *UNUSED_PLUGINS, "-W", UNSET_LOOP_SCOPE
    )
    result.assert_outcomes(passed=1)
