"""Application Default Credentials: transient refresh failures stay retryable, refusals do not.

Uses real google-auth against a local token endpoint (a service-account key generated here,
whose ``token_uri`` points at 127.0.0.1), never the network.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gemini_live import AuthenticationError, ConnectError
from gemini_live.client.endpoints import vertex_access_token

pytest.importorskip("google.auth.transport.requests")
pytest.importorskip("cryptography")


class _TokenHandler(http.server.BaseHTTPRequestHandler):
    status = 200
    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.status == 200:
            body = {"access_token": "ya29.local-token", "expires_in": 3600, "token_type": "Bearer"}
        else:
            body = {"error": "invalid_grant", "error_description": "secret-detail-xyz"}
        data = json.dumps(body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def token_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _TokenHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(5)


def _credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token_uri: str) -> None:
    path = tmp_path / "adc.json"
    path.write_text(json.dumps(_service_account(token_uri)))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


def _service_account(token_uri: str) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "sa@p.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }


async def test_token_from_application_default_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token_server: http.server.HTTPServer
) -> None:
    _TokenHandler.status = 200
    port = token_server.server_address[1]
    _credentials(tmp_path, monkeypatch, f"http://127.0.0.1:{port}/token")
    assert await vertex_access_token() == "ya29.local-token"


async def test_unreachable_token_service_is_a_retryable_connect_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _credentials(tmp_path, monkeypatch, "http://127.0.0.1:9/token")
    with pytest.raises(ConnectError) as info:
        await vertex_access_token()
    assert not isinstance(info.value, AuthenticationError)


async def test_refused_credentials_are_an_authentication_error_without_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token_server: http.server.HTTPServer
) -> None:
    _TokenHandler.status = 400
    port = token_server.server_address[1]
    _credentials(tmp_path, monkeypatch, f"http://127.0.0.1:{port}/token")
    with pytest.raises(AuthenticationError) as info:
        await vertex_access_token()
    assert "secret-detail-xyz" not in str(info.value)
    assert "BEGIN PRIVATE KEY" not in str(info.value)


async def test_vertex_with_a_credentials_object_refreshes_only_when_needed(
    monkeypatch: pytest.MonkeyPatch, token_server: http.server.HTTPServer
) -> None:
    """Vertex(credentials=...) takes a google-auth Credentials object (here: service-account
    credentials without scopes, which gemini-live scopes to cloud-platform); its token is
    fetched once and reused by the next connection, until it expires."""
    from google.oauth2 import service_account

    import gemini_live
    from gemini_live import GenerationConfig, LiveConfig, Platform, Vertex
    from gemini_live.testing import Emulator
    from gemini_live.testing.streams import read_turn, text_of

    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    _TokenHandler.status, _TokenHandler.requests = 200, 0
    port = token_server.server_address[1]
    info = _service_account(f"http://127.0.0.1:{port}/token")
    credentials = service_account.Credentials.from_service_account_info(info)
    vertex = Vertex("p", "us-central1", credentials=credentials)
    assert "BEGIN" not in repr(vertex) and "ya29" not in repr(vertex)
    config = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))
    async with Emulator() as emu:
        for _ in range(2):
            async with gemini_live.connect(
                "gemini-3.8-live", credentials=vertex, base_url=emu.url, config=config
            ) as session:
                assert session.platform is Platform.VERTEX
                events = session.events()
                await session.send_text("hi")
                assert text_of(await read_turn(events)) == "Echo: hi"
    assert _TokenHandler.requests == 1


def test_vertex_credentials_are_checked_before_connecting() -> None:
    from gemini_live import ConfigError, Vertex

    class NotCredentials:
        token = "t"

    with pytest.raises(ConfigError, match="refresh"):
        Vertex("p", "us-central1", credentials=NotCredentials())  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not both"):
        Vertex("p", "us-central1", "tok", credentials=NotCredentials())  # type: ignore[arg-type]
