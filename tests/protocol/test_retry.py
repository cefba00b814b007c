"""Tests for gemini_live.protocol.retry: the classification table and the backoff policy."""

from __future__ import annotations

import random

import pytest

from gemini_live.errors import ClosedBy
from gemini_live.protocol.retry import (
    ExponentialBackoff,
    Failure,
    FailureKind,
    RetryPolicy,
    Verdict,
    classify,
    is_throttled,
)

K = FailureKind
V = Verdict

CLASSIFICATION = [
    # (kind, code, reason, closed_by, after_go_away, expected)
    (K.CLOSED, 1000, "The operation was cancelled.", "server", False, V.ROTATE),
    (K.CLOSED, 1000, "", "server", False, V.ROTATE),
    (K.CLOSED, 1001, "", "server", False, V.RETRY),
    (K.CLOSED, 1002, "", "server", False, V.FATAL),
    (K.CLOSED, 1003, "", "server", False, V.FATAL),
    (K.CLOSED, 1005, "", "server", False, V.RETRY),
    (K.CLOSED, 1006, "", "network", False, V.RETRY),
    (K.CLOSED, None, "", "network", False, V.RETRY),
    (K.CLOSED, 1007, "Request contains an invalid argument.", "server", False, V.FATAL),
    (K.CLOSED, 1007, "API key expired. Please renew the API key.", "server", False, V.FATAL),
    (K.CLOSED, 1008, "Requested entity was not found.", "server", False, V.FATAL),
    (K.CLOSED, 1009, "", "server", False, V.FATAL),
    (K.CLOSED, 1009, "", "client", False, V.RETRY),
    (K.CLOSED, 1010, "", "server", False, V.FATAL),
    (K.CLOSED, 1011, "Internal error occurred.", "server", False, V.RETRY),
    (K.CLOSED, 1011, "The service is currently unavailable.", "server", False, V.RETRY),
    (K.CLOSED, 1011, "RESOURCE_EXHAUSTED: quota", "server", False, V.RETRY),
    (K.CLOSED, 1011, "THROTTLED_CLIENT", "server", False, V.RETRY),
    (K.CLOSED, 1011, "keepalive ping timeout", "client", False, V.RETRY),
    (
        K.CLOSED,
        1011,
        "Deadline expired before operation could complete.",
        "server",
        False,
        V.ROTATE,
    ),
    (K.CLOSED, 1011, "deadline EXPIRED", "server", False, V.ROTATE),
    (K.CLOSED, 1012, "", "server", False, V.RETRY),
    (K.CLOSED, 1013, "", "server", False, V.RETRY),
    (K.CLOSED, 1014, "", "server", False, V.RETRY),
    (K.CLOSED, 1015, "", "network", False, V.RETRY),
    (K.CLOSED, 3000, "", "server", False, V.FATAL),
    (K.CLOSED, 3003, "", "server", False, V.FATAL),
    (K.CLOSED, 4321, "", "server", False, V.RETRY),
    # after goAway: everything not fatal is rotation
    (K.CLOSED, 1006, "", "network", True, V.ROTATE),
    (K.CLOSED, 1011, "Internal error occurred.", "server", True, V.ROTATE),
    (K.CLOSED, 1000, "", "server", True, V.ROTATE),
    (K.CLOSED, 1007, "", "server", True, V.FATAL),
    (K.CLOSED, 1008, "", "server", True, V.FATAL),
    (K.KEEPALIVE_TIMEOUT, 1011, "keepalive ping timeout", "client", False, V.RETRY),
    (K.KEEPALIVE_TIMEOUT, 1011, "keepalive ping timeout", "client", True, V.ROTATE),
    (K.SETUP_TIMEOUT, None, "", "client", False, V.RETRY),
    (K.SETUP_REJECTED, 1007, "Unknown name", "server", False, V.FATAL),
    (K.SETUP_REJECTED, 1008, "Requested entity was not found.", "server", False, V.FATAL),
    (K.SETUP_REJECTED, 1011, "Internal error occurred.", "server", False, V.RETRY),
    (K.SETUP_REJECTED, 1000, "", "server", False, V.RETRY),
    (K.SETUP_REJECTED, 1011, "Deadline expired", "server", True, V.RETRY),
    (K.SETUP_REJECTED, 1006, "", "network", False, V.RETRY),
    (K.CONNECT_ERROR, None, "getaddrinfo failed", "network", False, V.RETRY),
    (K.CONNECT_ERROR, 401, "", "server", False, V.FATAL),
    (K.CONNECT_ERROR, 403, "", "server", False, V.FATAL),
    (K.CONNECT_ERROR, 404, "", "server", False, V.FATAL),
    (K.CONNECT_ERROR, 400, "", "server", False, V.FATAL),
    (K.CONNECT_ERROR, 408, "", "server", False, V.RETRY),
    (K.CONNECT_ERROR, 429, "", "server", False, V.RETRY),
    (K.CONNECT_ERROR, 500, "", "server", False, V.RETRY),
    (K.CONNECT_ERROR, 503, "", "server", False, V.RETRY),
    (K.AUTH_ERROR, None, "no credentials", "client", False, V.FATAL),
    (K.AUTH_ERROR, 401, "", "server", False, V.FATAL),
    (K.PROTOCOL_ERROR, None, "not JSON", "server", False, V.RETRY),
    (K.RESUMPTION_REFUSED, 1007, "", "server", False, V.RETRY),
]


@pytest.mark.parametrize(
    ("kind", "code", "reason", "closed_by", "after_go_away", "expected"), CLASSIFICATION
)
def test_classification_table(
    kind: FailureKind,
    code: int | None,
    reason: str,
    closed_by: ClosedBy,
    after_go_away: bool,
    expected: Verdict,
) -> None:
    failure = Failure(kind, code=code, reason=reason, closed_by=closed_by)
    assert classify(failure, after_go_away=after_go_away) is expected


def test_every_failure_kind_is_classified() -> None:
    covered = {row[0] for row in CLASSIFICATION}
    assert covered == set(FailureKind)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (Failure(K.CLOSED, 1011, "resource_exhausted"), True),
        (Failure(K.CLOSED, 1011, "Throttled_Client"), True),
        (Failure(K.CLOSED, 1011, "Internal error occurred."), False),
        (Failure(K.CONNECT_ERROR, 429), True),
        (Failure(K.CONNECT_ERROR, 503), False),
    ],
)
def test_is_throttled(failure: Failure, expected: bool) -> None:
    assert is_throttled(failure) is expected


RETRY = Failure(K.CLOSED, 1006)
ROTATE = Failure(K.CLOSED, 1000)


def _no_jitter(**kwargs: object) -> ExponentialBackoff:
    return ExponentialBackoff(jitter="none", **kwargs)  # type: ignore[arg-type]


def test_implements_protocol() -> None:
    assert isinstance(ExponentialBackoff(), RetryPolicy)


def test_delays_grow_and_cap() -> None:
    policy = _no_jitter(max_attempts=None)
    delays = [policy.next_delay(RETRY, V.RETRY, now=float(i)) for i in range(10)]
    assert delays == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0, 10.0]
    assert policy.attempts == 10


def test_long_outage_does_not_overflow() -> None:
    policy = _no_jitter(max_attempts=None, multiplier=10.0, max_delay=60.0)
    for i in range(2000):
        delay = policy.next_delay(RETRY, V.RETRY, now=float(i))
    assert delay == 60.0


def test_multiplier_one_is_constant() -> None:
    policy = _no_jitter(multiplier=1.0, initial_delay=1.5, max_delay=1.5)
    assert [policy.next_delay(RETRY, V.RETRY, 0.0) for _ in range(3)] == [1.5, 1.5, 1.5]


@pytest.mark.parametrize(("jitter", "low_fraction"), [("equal", 0.5), ("full", 0.0)])
def test_jitter_within_bounds(jitter: str, low_fraction: float) -> None:
    policy = ExponentialBackoff(
        jitter=jitter,  # type: ignore[arg-type]
        max_attempts=None,
        rng=random.Random(1234),
    )
    reference = _no_jitter(max_attempts=None)
    seen: list[float] = []
    for i in range(200):
        delay = policy.next_delay(RETRY, V.RETRY, float(i))
        base = reference.next_delay(RETRY, V.RETRY, float(i))
        assert delay is not None and base is not None
        assert base * low_fraction <= delay <= base
        seen.append(delay / base)
    # The draw really varies (not a constant hiding at a bound).
    assert max(seen) - min(seen) > 0.3


def test_seeded_rng_is_reproducible() -> None:
    a = ExponentialBackoff(rng=random.Random(7))
    b = ExponentialBackoff(rng=random.Random(7))
    assert [a.next_delay(RETRY, V.RETRY, 0.0) for _ in range(5)] == [
        b.next_delay(RETRY, V.RETRY, 0.0) for _ in range(5)
    ]


def test_max_attempts_gives_none() -> None:
    policy = _no_jitter(max_attempts=3)
    results = [policy.next_delay(RETRY, V.RETRY, 0.0) for _ in range(4)]
    assert results[:3] == [0.25, 0.5, 1.0]
    assert results[3] is None


def test_max_attempts_zero_never_retries() -> None:
    assert _no_jitter(max_attempts=0).next_delay(RETRY, V.RETRY, 0.0) is None


def test_fatal_gives_none_and_does_not_count() -> None:
    policy = _no_jitter()
    assert policy.next_delay(Failure(K.CLOSED, 1007), V.FATAL, 0.0) is None
    assert policy.attempts == 0


def test_reset_after_stable_period() -> None:
    policy = _no_jitter(stable_after=30.0)
    for _ in range(4):
        policy.next_delay(RETRY, V.RETRY, 0.0)
    assert policy.attempts == 4
    policy.connected(now=100.0)
    assert policy.next_delay(RETRY, V.RETRY, now=130.0) == 0.25
    assert policy.attempts == 1


def test_unstable_reconnects_keep_counting() -> None:
    policy = _no_jitter(stable_after=30.0, max_attempts=3)
    now = 0.0
    delays = []
    for _ in range(4):
        policy.connected(now)
        now += 29.0  # up, but never for long enough
        delays.append(policy.next_delay(RETRY, V.RETRY, now))
    assert delays == [0.25, 0.5, 1.0, None]


def test_stability_needs_a_connected_call_per_connection() -> None:
    policy = _no_jitter(stable_after=30.0)
    policy.connected(0.0)
    policy.next_delay(RETRY, V.RETRY, 5.0)
    # The next attempt fails to connect at all: the old connected_at must not count.
    assert policy.next_delay(RETRY, V.RETRY, 100.0) == 0.5
    assert policy.attempts == 2


def test_rotate_does_not_count() -> None:
    policy = _no_jitter(rotate_delay=0.1)
    policy.next_delay(RETRY, V.RETRY, 0.0)
    policy.connected(1.0)
    assert policy.next_delay(ROTATE, V.ROTATE, now=11.0) == 0.1
    assert policy.attempts == 1
    # And the following real failure continues from there.
    assert policy.next_delay(RETRY, V.RETRY, 12.0) == 0.5


def test_rotate_right_after_setup_counts_as_retry() -> None:
    policy = _no_jitter(rotate_min_uptime=2.0, max_attempts=2)
    results = []
    for i in range(3):
        policy.connected(float(i))
        results.append(policy.next_delay(ROTATE, V.ROTATE, float(i) + 0.5))
    assert results == [0.25, 0.5, None]


def test_rotate_without_connection_counts_as_retry() -> None:
    policy = _no_jitter()
    assert policy.next_delay(ROTATE, V.ROTATE, 0.0) == 0.25
    assert policy.attempts == 1


def test_throttled_failures_back_off_longer() -> None:
    policy = _no_jitter(throttled_min_delay=3.0)
    throttled = Failure(K.CLOSED, 1011, "RESOURCE_EXHAUSTED")
    assert policy.next_delay(throttled, V.RETRY, 0.0) == 3.0
    assert policy.next_delay(RETRY, V.RETRY, 0.0) == 0.5
    capped = _no_jitter(throttled_min_delay=3.0, max_delay=1.0)
    assert capped.next_delay(throttled, V.RETRY, 0.0) == 1.0


def test_reset_clears_attempts() -> None:
    policy = _no_jitter()
    policy.next_delay(RETRY, V.RETRY, 0.0)
    policy.next_delay(RETRY, V.RETRY, 0.0)
    policy.reset()
    assert policy.attempts == 0
    assert policy.next_delay(RETRY, V.RETRY, 0.0) == 0.25


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"initial_delay": 0}, ValueError, "initial_delay"),
        ({"initial_delay": -1.0}, ValueError, "initial_delay"),
        ({"initial_delay": float("nan")}, ValueError, "initial_delay"),
        ({"initial_delay": "1"}, TypeError, "initial_delay"),
        ({"multiplier": 0.5}, ValueError, "multiplier"),
        ({"max_delay": 0.1}, ValueError, "max_delay"),
        ({"max_delay": float("inf")}, ValueError, "max_delay"),
        ({"jitter": "random"}, ValueError, "jitter"),
        ({"max_attempts": -1}, ValueError, "max_attempts"),
        ({"max_attempts": 2.5}, TypeError, "max_attempts"),
        ({"max_attempts": True}, TypeError, "max_attempts"),
        ({"stable_after": -1}, ValueError, "stable_after"),
        ({"rotate_delay": -0.1}, ValueError, "rotate_delay"),
        ({"rotate_min_uptime": -1}, ValueError, "rotate_min_uptime"),
        ({"throttled_min_delay": -1}, ValueError, "throttled_min_delay"),
        ({"rng": 42}, TypeError, "rng"),
    ],
)
def test_parameter_validation(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        ExponentialBackoff(**kwargs)  # type: ignore[arg-type]
