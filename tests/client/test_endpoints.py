"""Endpoint URLs, headers and model names for every platform and form (no I/O)."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from gemini_live.client import endpoints
from gemini_live.client.endpoints import (
    Endpoint,
    custom_endpoint,
    ephemeral_token_endpoint,
    google_ai_endpoint,
    resolve_api_key,
    vertex_access_token,
    vertex_endpoint,
)
from gemini_live.errors import AuthenticationError, ConfigError
from gemini_live.protocol.config import Platform

GAI = "wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage"
VERTEX_PATH = "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent"


def test_google_ai_endpoint() -> None:
    endpoint = google_ai_endpoint("gemini-3.8-live", "KEY-1")
    assert endpoint.url == f"{GAI}.v1beta.GenerativeService.BidiGenerateContent"
    assert dict(endpoint.headers) == {"x-goog-api-key": "KEY-1"}
    assert endpoint.model == "models/gemini-3.8-live"
    assert endpoint.platform is Platform.GOOGLE_AI


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("gemini-3.8-live", "models/gemini-3.8-live"),
        ("models/gemini-3.8-live", "models/gemini-3.8-live"),
        ("tunedModels/my-tune", "tunedModels/my-tune"),
    ],
)
def test_google_ai_model_names(given: str, expected: str) -> None:
    assert google_ai_endpoint(given, "k").model == expected


def test_google_ai_version_and_host() -> None:
    endpoint = google_ai_endpoint("m", "k", api_version="v1alpha", host="example.test:8443")
    assert endpoint.url == (
        "wss://example.test:8443/ws/google.ai.generativelanguage.v1alpha"
        ".GenerativeService.BidiGenerateContent"
    )


def test_ephemeral_token_endpoint() -> None:
    endpoint = ephemeral_token_endpoint("gemini-3.8-live", "auth_tokens/abc")
    assert endpoint.url == f"{GAI}.v1alpha.GenerativeService.BidiGenerateContentConstrained"
    assert dict(endpoint.headers) == {"Authorization": "Token auth_tokens/abc"}
    assert endpoint.model == "models/gemini-3.8-live"
    beta = ephemeral_token_endpoint("m", "auth_tokens/abc", api_version="v1beta")
    assert ".v1beta.GenerativeService.BidiGenerateContentConstrained" in beta.url


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("us-central1", "us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "europe-west4-aiplatform.googleapis.com"),
        ("global", "aiplatform.googleapis.com"),
        ("us", "aiplatform.us.rep.googleapis.com"),
        ("eu", "aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_vertex_hosts(location: str, host: str) -> None:
    endpoint = vertex_endpoint("gemini-3.8-live", project="p", location=location, access_token="t")
    assert endpoint.url == f"wss://{host}{VERTEX_PATH}"
    assert endpoint.model == (
        f"projects/p/locations/{location}/publishers/google/models/gemini-3.8-live"
    )
    assert dict(endpoint.headers) == {"Authorization": "Bearer t"}
    assert endpoint.platform is Platform.VERTEX


def test_vertex_model_forms_and_version() -> None:
    full = "projects/other/locations/us-east1/publishers/google/models/x"
    assert vertex_endpoint(full, project="p", location="l1", access_token="t").model == full
    assert (
        vertex_endpoint("models/x", project="p", location="us-east1", access_token="t").model
        == "projects/p/locations/us-east1/publishers/google/models/x"
    )
    beta = vertex_endpoint(
        "x", project="p", location="global", access_token="t", api_version="v1beta1"
    )
    assert beta.url.endswith(
        "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
    )


@pytest.mark.parametrize(
    ("base", "expected_prefix"),
    [
        ("ws://127.0.0.1:9000", "ws://127.0.0.1:9000/ws/"),
        ("http://127.0.0.1:9000/", "ws://127.0.0.1:9000/ws/"),
        ("https://proxy.example/prefix/", "wss://proxy.example/prefix/ws/"),
        ("wss://proxy.example/a/b", "wss://proxy.example/a/b/ws/"),
    ],
)
def test_custom_endpoint_urls(base: str, expected_prefix: str) -> None:
    endpoint = custom_endpoint(base, "m", platform="google_ai", api_key="k")
    assert endpoint.url == (
        f"{expected_prefix}google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
    )
    assert "//ws" not in endpoint.url.split("://", 1)[1]
    assert dict(endpoint.headers) == {"x-goog-api-key": "k"}


def test_custom_endpoint_credentials_per_platform() -> None:
    token = custom_endpoint("ws://h", "m", platform=Platform.GOOGLE_AI, token="auth_tokens/t")
    assert token.url.endswith(".v1alpha.GenerativeService.BidiGenerateContentConstrained")
    assert dict(token.headers) == {"Authorization": "Token auth_tokens/t"}

    vertex = custom_endpoint(
        "ws://h/v", "m", platform="vertex", token="oauth", project="p", location="us-central1"
    )
    assert vertex.url == f"ws://h/v{VERTEX_PATH}"
    assert dict(vertex.headers) == {"Authorization": "Bearer oauth"}
    assert vertex.model == "projects/p/locations/us-central1/publishers/google/models/m"
    assert vertex.platform is Platform.VERTEX

    express = custom_endpoint("ws://h", "m", platform="vertex", api_key="k")
    assert express.model == "publishers/google/models/m"
    assert dict(express.headers) == {"x-goog-api-key": "k"}

    anonymous = custom_endpoint("ws://h", "m", platform="google_ai")
    assert dict(anonymous.headers) == {}


@pytest.mark.parametrize(
    "call",
    [
        lambda: google_ai_endpoint("", "k"),
        lambda: google_ai_endpoint("has space", "k"),
        lambda: google_ai_endpoint("a/b", "k"),
        lambda: google_ai_endpoint("m", ""),
        lambda: google_ai_endpoint("m", "k", api_version="latest"),
        lambda: ephemeral_token_endpoint("m", " "),
        lambda: vertex_endpoint("m", project="p", location="", access_token="t"),
        lambda: vertex_endpoint("m", project="", location="us-central1", access_token="t"),
        lambda: vertex_endpoint("m", project="p", location="Bad Loc", access_token="t"),
        lambda: vertex_endpoint("m", project="p", location="us-central1", access_token=""),
        lambda: custom_endpoint("ftp://h", "m", platform="google_ai"),
        lambda: custom_endpoint("not a url", "m", platform="google_ai"),
        lambda: custom_endpoint("ws://h", "m", platform="azure"),  # type: ignore[arg-type]
        lambda: custom_endpoint("ws://h", "m", platform="google_ai", api_key="k", token="t"),
        lambda: custom_endpoint("ws://h", "m", platform="vertex", project="p"),
    ],
)
def test_bad_input_is_config_error(call: Any) -> None:
    with pytest.raises(ConfigError):
        call()


def test_config_errors_do_not_echo_credentials() -> None:
    with pytest.raises(ConfigError) as caught:
        google_ai_endpoint("m", "SECRET\r\nX: y")
    assert "SECRET" not in str(caught.value)


def test_repr_redacts_credentials() -> None:
    shown = [
        repr(google_ai_endpoint("m", "KEY-SECRET")),
        repr(ephemeral_token_endpoint("m", "auth_tokens/TOKEN-SECRET")),
        repr(vertex_endpoint("m", project="p", location="global", access_token="BEARER-SECRET")),
        str(custom_endpoint("wss://h/?key=QUERY-SECRET", "m", platform="google_ai")),
    ]
    for text in shown:
        assert "SECRET" not in text, text
        assert "<redacted>" in text
    assert "models/m" in shown[0] and "generativelanguage.googleapis.com" in shown[0]


def test_endpoint_is_immutable() -> None:
    endpoint = google_ai_endpoint("m", "k")
    with pytest.raises(TypeError):
        endpoint.headers["x-goog-api-key"] = "other"  # type: ignore[index]
    with pytest.raises(AttributeError):
        endpoint.url = "ws://elsewhere"  # type: ignore[misc]
    assert isinstance(endpoint, Endpoint)
    same = google_ai_endpoint("m", "k")
    assert same == endpoint and hash(same) == hash(endpoint)
    assert google_ai_endpoint("m", "k2") != endpoint


def test_resolve_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "from-gemini")
    monkeypatch.setenv("GOOGLE_API_KEY", "from-google")
    assert resolve_api_key("explicit") == "explicit"
    assert resolve_api_key(None) == "from-gemini"
    monkeypatch.delenv("GEMINI_API_KEY")
    assert resolve_api_key(None) == "from-google"
    monkeypatch.delenv("GOOGLE_API_KEY")
    with pytest.raises(AuthenticationError, match="GEMINI_API_KEY"):
        resolve_api_key(None)
    with pytest.raises(ConfigError):
        resolve_api_key("")


def _fake_google_auth(monkeypatch: pytest.MonkeyPatch, *, credentials: Any) -> list[Any]:
    """Install a stand-in for google-auth in sys.modules; return the scopes it was asked for."""
    asked: list[Any] = []

    class DefaultCredentialsError(Exception):
        pass

    class GoogleAuthError(Exception):
        pass

    def default(scopes: Any = None) -> tuple[Any, str]:
        asked.append(scopes)
        if credentials is None:
            raise DefaultCredentialsError("nothing configured")
        return credentials, "project"

    auth = types.ModuleType("google.auth")
    auth.default = default  # type: ignore[attr-defined]
    exceptions = types.ModuleType("google.auth.exceptions")
    exceptions.DefaultCredentialsError = DefaultCredentialsError  # type: ignore[attr-defined]
    exceptions.GoogleAuthError = GoogleAuthError  # type: ignore[attr-defined]
    requests = types.ModuleType("google.auth.transport.requests")
    requests.Request = object  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google.auth", auth)
    monkeypatch.setitem(sys.modules, "google.auth.exceptions", exceptions)
    monkeypatch.setitem(sys.modules, "google.auth.transport.requests", requests)
    return asked


async def test_vertex_access_token_from_adc(monkeypatch: pytest.MonkeyPatch) -> None:
    class Credentials:
        token: str | None = None

        def refresh(self, request: Any) -> None:
            self.token = "ya29.fresh"

    asked = _fake_google_auth(monkeypatch, credentials=Credentials())
    assert await vertex_access_token() == "ya29.fresh"
    assert asked == [[endpoints.CLOUD_PLATFORM_SCOPE]]


async def test_vertex_access_token_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_google_auth(monkeypatch, credentials=None)
    with pytest.raises(AuthenticationError, match="application-default login"):
        await vertex_access_token()


async def test_vertex_access_token_without_google_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "google.auth", None)  # makes the import fail
    with pytest.raises(AuthenticationError, match=r"gemini-live\[vertex\]"):
        await vertex_access_token()


@pytest.mark.parametrize("base_url", ["127.0.0.1:8765", "localhost:8765", "user:SECRET@h:1?key=K"])
def test_a_base_url_without_scheme_says_which_scheme_is_needed(base_url: str) -> None:
    with pytest.raises(ConfigError, match="needs a ws:// or wss:// scheme") as info:
        custom_endpoint(base_url, "m", platform="google_ai", api_key="k")
    assert "SECRET" not in str(info.value) and "key=K" not in str(info.value)
    if base_url == "127.0.0.1:8765":
        assert "'ws://127.0.0.1:8765'" in str(info.value)


async def test_wss_against_a_plain_server_gives_a_reason_and_a_hint() -> None:
    import gemini_live
    from gemini_live.testing import Emulator

    async with Emulator() as emu:
        with pytest.raises(gemini_live.ConnectError) as info:
            await gemini_live.connect(
                "m",
                credentials=gemini_live.ApiKey("k"),
                base_url=emu.url.replace("ws://", "wss://"),
                options=gemini_live.SessionOptions(reconnect=False),
            )
    message = str(info.value)
    assert not message.rstrip().endswith(":"), message  # was: "...BidiGenerateContent: "
    assert "needs ws://, not wss://" in message
