"""The pytest plugin in a user's project that has not configured pytest-asyncio at all.

The README's snippet failed there with "async def functions are not natively supported"; the
plugin now marks async tests that use its fixtures, so they run in pytest-asyncio's default
(strict) mode without an ``asyncio_mode`` setting or a marker.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.docs.snippets import UNSET_LOOP_SCOPE

pytest_plugins = ["pytester"]

# The projects run in this process (a fresh pytest configuration loading the plugins through
# their entry points, as in a project of its own; a subprocess cost ~0.5 s of CPU more each).
# pytest-asyncio warns such a project that it leaves its fixtures' loop scope unset; its
# warnings are noise here (UNSET_LOOP_SCOPE). A warning filter is not asyncio configuration: the
# projects stay bare.
pytestmark = pytest.mark.filterwarnings(UNSET_LOOP_SCOPE)

# Plugins a machine may have that these projects do not use (anyio's stays: a test below marks
# a test for it, as a project using both would).
UNUSED = ("-p", "no:benchmark", "-p", "no:hypothesispytest", "-W", UNSET_LOOP_SCOPE)

SNIPPET = textwrap.dedent(
    """
    import gemini_live
    from gemini_live import GenerationConfig, LiveConfig, TextDelta, TurnComplete

    TEXT = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))

    async def test_my_agent(live_emulator):
        async with gemini_live.connect(
            "gemini-3.8-live",
            base_url=live_emulator.url,
            credentials=gemini_live.ApiKey("x"),
            config=TEXT,
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
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *UNUSED)
    result.assert_outcomes(passed=2)
    assert "not natively supported" not in result.stdout.str()


def test_only_async_tests_using_the_fixtures_are_marked(pytester: pytest.Pytester) -> None:
    # An async test without our fixtures is left to the user's configuration, and a test marked
    # for another async framework (anyio) is left to that framework, fixture or not.
    pytester.makepyfile(
        test_tests=textwrap.dedent(
            """
            import pytest

            async def test_unrelated():
                pass

            async def test_ours(live_emulator):
                pass

            def test_sync(live_emulator_factory):
                pass

            @pytest.mark.anyio
            async def test_with_anyio(live_emulator):
                pass
            """
        ),
    )
    pytester.makeconftest(
        textwrap.dedent(
            """
            def pytest_collection_modifyitems(items):
                for item in items:
                    names = {m.name for m in item.iter_markers()}
                    marks = sorted(names - {"parametrize", "usefixtures"})
                    print(f"MARKS {item.originalname} {marks}")
            """
        )
    )
    pytester.makeini("[pytest]\nmarkers =\n    anyio: another async runner\n")
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", *UNUSED, "--collect-only", "-s"
    )
    marks = {
        line.split()[1]: line.split(" ", 2)[2]
        for line in result.stdout.lines
        if line.startswith("MARKS ")
    }
    assert marks == {
        "test_unrelated": "[]",
        "test_ours": "['asyncio']",
        "test_sync": "[]",
        "test_with_anyio": "['anyio']",
    }
    # ... and pytest-asyncio made exactly the marked one its own kind of item.
    output = result.stdout.str()
    assert "<Coroutine test_ours>" in output
    assert "<Function test_unrelated>" in output
