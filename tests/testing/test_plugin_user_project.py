"""The pytest plugin in a user's project that has not configured pytest-asyncio at all.

The README's snippet failed there with "async def functions are not natively supported"; the
plugin now marks async tests that use its fixtures, so they run in pytest-asyncio's default
(strict) mode without an ``asyncio_mode`` setting or a marker.
"""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

SNIPPET = textwrap.dedent(
    """
    import gemini_live
    from gemini_live import GenerationConfig, LiveConfig, TextDelta, TurnComplete

    TEXT = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))

    async def test_my_agent(live_emulator):
        async with gemini_live.connect(
            "gemini-3.8-live", base_url=live_emulator.url, api_key="x", config=TEXT
        ) as session:
            events = session.events()
            await session.send_text("hello")
            reply = ""
            async for event in events:
                if isinstance(event, TextDelta):
                    reply += event.text
                elif isinstance(event, TurnComplete):
                    break
        assert reply == "Echo: hello"

    async def test_factory(live_emulator_factory):
        emulator = await live_emulator_factory()
        assert emulator.url.startswith("ws://127.0.0.1:")
    """
)


def test_async_tests_using_the_fixtures_run_without_any_asyncio_configuration(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_user=SNIPPET)
    pytester.makeini("[pytest]\n")  # an empty config: pytest-asyncio in its default strict mode
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=60)
    result.assert_outcomes(passed=2)
    assert "not natively supported" not in result.stdout.str()


def test_other_async_tests_still_follow_the_users_configuration(
    pytester: pytest.Pytester,
) -> None:
    # An async test without our fixtures is not taken over: strict mode still skips it
    # (pytest's own "async def functions are not natively supported"), as the user configured.
    pytester.makepyfile(
        test_other="async def test_unrelated():\n    pass\n",
    )
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=60)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0
    assert "not natively supported" in result.stdout.str()


def test_a_test_marked_for_another_async_framework_is_left_alone(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_marked=textwrap.dedent(
            """
            import pytest

            @pytest.mark.anyio
            async def test_with_anyio(live_emulator):
                pass
            """
        )
    )
    pytester.makeini("[pytest]\nmarkers =\n    anyio: another async runner\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA", timeout=60)
    # Not run by pytest-asyncio: with no anyio plugin installed nobody runs it.
    assert "test_with_anyio PASSED" not in result.stdout.str()
