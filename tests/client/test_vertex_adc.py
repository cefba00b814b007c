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
from tests.lazy import require

# Checked without importing them: vertex_access_token imports google-auth when a test runs.
require("google.auth.transport.requests")
require("cryptography")


class _TokenHandler(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_POST(self) -> None:
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
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "adc.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "p",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "sa@p.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


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
