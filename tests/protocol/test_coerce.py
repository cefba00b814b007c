"""coerce_* (what the send methods accept), constructor validation, and
validate_function_responses."""

from __future__ import annotations

from typing import Any

import pytest

from gemini_live.protocol.config import Platform
from gemini_live.protocol.messages import (
    ClientContent,
    ContextUpdate,
    RealtimeAudio,
    Setup,
    message_kind,
    validate_function_responses,
)
from gemini_live.protocol.types import (
    Behavior,
    Blob,
    Content,
    FunctionDeclaration,
    FunctionResponse,
    Part,
    Scheduling,
    Tool,
    b64decode_any,
    coerce_content,
    coerce_contents,
    coerce_function_response,
    coerce_function_responses,
    coerce_tool,
    coerce_tools,
)

# --- accepted shapes ---------------------------------------------------------------------------


def test_content_accepts_own_type_unchanged() -> None:
    content = Content.from_text("hi")
    assert coerce_content(content) is content


@pytest.mark.parametrize(
    "value",
    [
        {"role": "user", "parts": [{"text": "hi"}]},
        {"role": "user", "parts": ({"text": "hi"},)},
        {"role": "user", "parts": [Part(text="hi")]},
    ],
)
def test_content_accepts_wire_dicts(value: dict[str, Any]) -> None:
    assert coerce_content(value) == Content(parts=(Part(text="hi"),), role="user")


def test_content_inline_data_in_both_spellings_and_alphabets() -> None:
    expected = Content(parts=(Part(inline_data=Blob("image/png", b"\xfb\xff")),), role="model")
    for part in (
        {"inlineData": {"mimeType": "image/png", "data": "+/8="}},
        {"inline_data": {"mime_type": "image/png", "data": "-_8"}},
        {"inlineData": {"mimeType": "image/png", "data": b"\xfb\xff"}},
        {"inlineData": Blob("image/png", b"\xfb\xff")},
    ):
        assert coerce_content({"role": "model", "parts": [part]}) == expected


def test_contents_accepts_list_tuple_and_generator() -> None:
    expected = (Content.from_text("a"), Content.from_text("b", role="model"))
    wire = [{"role": "user", "parts": [{"text": "a"}]}, {"role": "model", "parts": [{"text": "b"}]}]
    assert coerce_contents(wire) == expected
    assert coerce_contents(tuple(wire)) == expected
    assert coerce_contents(x for x in [expected[0], wire[1]]) == expected
    assert coerce_contents([]) == ()


def test_function_response_shapes() -> None:
    expected = FunctionResponse("f", {"output": 1}, id="fc-1")
    assert (
        coerce_function_response({"id": "fc-1", "name": "f", "response": {"output": 1}}) == expected
    )
    assert coerce_function_response(expected) is expected
    full = coerce_function_response(
        {"id": "x", "name": "f", "response": {}, "scheduling": "SILENT", "will_continue": True}
    )
    assert full.scheduling == Scheduling.SILENT and full.will_continue is True
    camel = coerce_function_response({"name": "f", "response": {}, "willContinue": False})
    assert camel.will_continue is False
    assert coerce_function_responses([expected, {"name": "g", "response": {"a_b": 1}}]) == (
        expected,
        FunctionResponse("g", {"a_b": 1}),  # user payload keys are not converted
    )


def test_tool_shapes() -> None:
    assert coerce_tool({"googleSearch": {}}) == Tool(google_search=True)
    assert coerce_tool({"code_execution": {}}) == Tool(code_execution=True)
    assert coerce_tool({"urlContext": True}) == Tool(url_context=True)
    assert coerce_tool({"googleMaps": {}}) == Tool(google_maps=True)
    decl = {
        "name": "f",
        "description": "d",
        "parameters": {"type": "OBJECT"},
        "behavior": "BLOCKING",
    }
    tool = coerce_tool({"functionDeclarations": [decl], "googleSearch": {}})
    assert tool == Tool(
        function_declarations=(
            FunctionDeclaration(
                "f", "d", parameters={"type": "OBJECT"}, behavior=Behavior.BLOCKING
            ),
        ),
        google_search=True,
    )
    assert coerce_tools([tool, {"google_search": {}}]) == (tool, Tool(google_search=True))
    assert coerce_tools(()) == ()
    future = coerce_tool({"functionDeclarations": [{"name": "f", "behavior": "SOMETIMES"}]})
    assert future.function_declarations[0].behavior == "SOMETIMES"


# --- rejections ------------------------------------------------------------------------------


REJECTIONS: list[tuple[str, Any, type[Exception], str]] = [
    (
        "responses_item_int",
        lambda: coerce_function_responses([FunctionResponse("f", {}, id="1"), 5]),
        TypeError,
        "send_tool_response: responses[1] must be FunctionResponse or a dict with 'name' and "
        "'response'; got int",
    ),
    (
        "responses_bare_dict",
        lambda: coerce_function_responses({"name": "f", "response": {}}),
        TypeError,
        "send_tool_response: responses must be a list or tuple of FunctionResponses or dicts "
        "with 'name' and 'response'; got dict",
    ),
    (
        "response_missing_response",
        lambda: coerce_function_responses([{"name": "f", "id": "1"}]),
        ValueError,
        "send_tool_response: responses[0] is missing 'response'; expected FunctionResponse or "
        "a dict with 'name' and 'response'",
    ),
    (
        "response_not_dict",
        lambda: coerce_function_response({"name": "f", "response": "ok"}),
        TypeError,
        "response: FunctionResponse.response must be a dict; got str",
    ),
    (
        "response_empty_name",
        lambda: coerce_function_response({"name": "", "response": {}}),
        ValueError,
        "FunctionResponse.name must be a non-empty str; got ''",
    ),
    (
        "response_unknown_key",
        lambda: coerce_function_response({"name": "f", "response": {}, "parts": []}),
        ValueError,
        "response has unknown key(s) ['parts']",
    ),
    (
        "contents_bare_str",
        lambda: coerce_contents("hello"),
        TypeError,
        "send_client_content: turns must be a list or tuple of Content or dicts; got str",
    ),
    (
        "contents_bare_bytes",
        lambda: coerce_contents(b"hello"),
        TypeError,
        "turns must be a list or tuple of Content or dicts; got bytes",
    ),
    (
        "contents_single_content",
        lambda: coerce_contents(Content.from_text("x")),
        TypeError,
        "turns must be a list or tuple of Content or dicts; got Content",
    ),
    (
        "content_str_is_not_magic",
        lambda: coerce_contents(["hello"]),
        TypeError,
        "send_client_content: turns[0] must be Content or a dict like {'role': 'user', 'parts': "
        "[{'text': ...}]}; got str",
    ),
    (
        "content_missing_parts",
        lambda: coerce_content({"role": "user", "text": "hi"}),
        ValueError,
        "content has unknown key(s) ['text']; a Content may have 'role', 'parts'",
    ),
    (
        "content_no_parts_key",
        lambda: coerce_content({"role": "user"}),
        ValueError,
        "content is missing 'parts'",
    ),
    (
        "parts_is_str",
        lambda: coerce_content({"parts": "hi"}),
        TypeError,
        "content.parts must be a list or tuple of parts; got str",
    ),
    (
        "part_with_both",
        lambda: coerce_content(
            {"parts": [{"text": "a", "inlineData": {"mimeType": "m", "data": ""}}]}
        ),
        ValueError,
        "content.parts[0]: Part needs exactly one of text or inline_data; got both",
    ),
    (
        "part_with_neither",
        lambda: coerce_content({"parts": [{"thought": True}]}),
        ValueError,
        "Part needs exactly one of text or inline_data; got neither",
    ),
    (
        "part_text_not_str",
        lambda: coerce_content({"parts": [{"text": 3}]}),
        TypeError,
        "content.parts[0]: Part.text must be str or None; got int",
    ),
    (
        "inline_data_bad_base64",
        lambda: coerce_content({"parts": [{"inlineData": {"mimeType": "m", "data": "a!"}}]}),
        ValueError,
        "content.parts[0].inlineData.data is not valid base64",
    ),
    (
        "inline_data_wrong_type",
        lambda: coerce_content({"parts": [{"inlineData": {"mimeType": "m", "data": 5}}]}),
        TypeError,
        "content.parts[0].inlineData.data must be bytes; got int",
    ),
    (
        "role_empty",
        lambda: coerce_content({"role": "", "parts": []}),
        ValueError,
        "Content.role must be a non-empty str",
    ),
    (
        "tools_bare_dict",
        lambda: coerce_tools({"googleSearch": {}}),
        TypeError,
        "update_tools: tools must be a list or tuple of Tool or dicts; got dict",
    ),
    (
        "tool_str",
        lambda: coerce_tools(["googleSearch"]),
        TypeError,
        "update_tools: tools[0] must be Tool or a dict like {'functionDeclarations': [...]} or "
        "{'googleSearch': {}}; got str",
    ),
    (
        "tool_unknown_kind",
        lambda: coerce_tool({"retrieval": {}}),
        ValueError,
        "tool has unknown key(s) ['retrieval']; a Tool may have 'functionDeclarations', "
        "'googleSearch', 'codeExecution', 'urlContext', 'googleMaps'",
    ),
    (
        "tool_empty",
        lambda: coerce_tool({}),
        ValueError,
        "tool: Tool enables nothing",
    ),
    (
        "tool_search_options",
        lambda: coerce_tool({"googleSearch": {"timeRangeFilter": {}}}),
        ValueError,
        "tool.googleSearch: options are not supported; pass {}",
    ),
    (
        "declaration_without_name",
        lambda: coerce_tool({"functionDeclarations": [{"description": "x"}]}),
        ValueError,
        "tool.functionDeclarations[0] is missing 'name'",
    ),
    (
        "declaration_both_schemas",
        lambda: coerce_tool(
            {"functionDeclarations": [{"name": "f", "parameters": {}, "parametersJsonSchema": {}}]}
        ),
        ValueError,
        "set parameters or parameters_json_schema, not both",
    ),
    (
        "declarations_str",
        lambda: coerce_tool({"functionDeclarations": "f"}),
        TypeError,
        "tool.functionDeclarations must be a list or tuple of function declarations; got str",
    ),
    (
        "same_key_twice",
        lambda: coerce_function_response(
            {"name": "f", "response": {}, "willContinue": True, "will_continue": True}
        ),
        ValueError,
        "spells 'willContinue' twice",
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "error", "message"), REJECTIONS, ids=[r[0] for r in REJECTIONS]
)
def test_rejections(name: str, call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_custom_where_names_the_argument() -> None:
    with pytest.raises(TypeError, match=r"^send_client_content: turns\[2\] must be Content"):
        coerce_contents([Content.from_text("a"), Content.from_text("b"), 1.5])
    with pytest.raises(TypeError, match=r"^my_method\(history\)\[0\] must be Content"):
        coerce_contents([None], where="my_method(history)")


# --- constructors -----------------------------------------------------------------------------


def test_constructors_normalise_containers_and_bytes() -> None:
    content = Content(parts=[Part(text="a")])  # type: ignore[arg-type]
    assert content.parts == (Part(text="a"),)
    assert Blob("m", bytearray(b"ab")).data == b"ab"  # type: ignore[arg-type]
    assert RealtimeAudio(memoryview(b"\x00\x01"), "audio/pcm").data == b"\x00\x01"  # type: ignore[arg-type]
    assert ClientContent([Content.from_text("a")], True).turns == (Content.from_text("a"),)  # type: ignore[arg-type]


def test_reprs_do_not_dump_binary_data() -> None:
    assert (
        repr(Blob("image/jpeg", b"\x00" * 10_000))
        == "Blob(mime_type='image/jpeg', data=<10000 bytes>)"
    )
    assert "<640 bytes>" in repr(RealtimeAudio(b"\x00" * 640, "audio/pcm;rate=16000"))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Content(parts="hi"), "Content.parts must be a list or tuple of Part; got str"),  # type: ignore[arg-type]
        (lambda: Content(parts=({"text": "x"},)), "Content.parts[0] must be Part; got dict"),  # type: ignore[arg-type]
        (lambda: Tool(), "Tool enables nothing"),
        (lambda: FunctionDeclaration(""), "FunctionDeclaration.name must be a non-empty str"),
        (lambda: Setup(""), "Setup.model must be a non-empty str"),
        (lambda: ContextUpdate(), "ContextUpdate needs system_instruction or tools"),
        (lambda: RealtimeAudio(b"", ""), "RealtimeAudio.mime_type must be a non-empty str"),
        (lambda: RealtimeAudio("AAAA", "audio/pcm"), "RealtimeAudio.data must be bytes; got str"),  # type: ignore[arg-type]
        (lambda: Blob("m", "AAAA"), "Blob.data must be bytes; got str"),  # type: ignore[arg-type]
    ],
)
def test_constructors_validate(build: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        build()
    assert message in str(info.value)


def test_message_kind_rejects_non_messages() -> None:
    with pytest.raises(TypeError, match="not a client message: dict"):
        message_kind({})  # type: ignore[arg-type]


def test_b64decode_any() -> None:
    assert b64decode_any("", "x") == b""
    assert b64decode_any("YQ", "x") == b"a"
    assert b64decode_any("-_-_", "x") == b64decode_any("+/+/", "x") == b"\xfb\xff\xbf"
    with pytest.raises(ValueError, match="x is not valid base64"):
        b64decode_any("abcde", "x")


# --- validate_function_responses ------------------------------------------------------------

G, V = Platform.GOOGLE_AI, Platform.VERTEX


def test_function_responses_valid() -> None:
    validate_function_responses([FunctionResponse("f", {}, id="1")], G)
    validate_function_responses([FunctionResponse("f", {})], V)  # Vertex may send calls without ids
    validate_function_responses(
        [FunctionResponse("f", {}, id="1", scheduling=s, will_continue=True) for s in Scheduling], G
    )


@pytest.mark.parametrize(
    ("response", "platform", "message"),
    [
        (
            FunctionResponse("f", {}),
            G,
            "send_tool_response: responses[0] ('f') has no id; the Gemini API requires the id",
        ),
        (
            FunctionResponse("f", {}, id="1", scheduling="WHEN_IDLE"),
            V,
            "scheduling is not supported on Vertex (the service closes the session with 1007 "
            'Unknown name "scheduling")',
        ),
        (
            FunctionResponse("f", {}, will_continue=False),
            V,
            "will_continue is not supported on Vertex (the service closes the session with 1007 "
            'Unknown name "willContinue")',
        ),
        (
            FunctionResponse("f", {}, id="1", scheduling="INTERRUPTED"),
            G,
            "scheduling must be one of SCHEDULING_UNSPECIFIED, SILENT, WHEN_IDLE, INTERRUPT; "
            "got 'INTERRUPTED' (did you mean 'INTERRUPT'?)",
        ),
        (FunctionResponse("f", {}, id="1", scheduling="later"), G, "got 'later'"),
    ],
)
def test_function_responses_rejected(
    response: FunctionResponse, platform: Platform, message: str
) -> None:
    with pytest.raises(ValueError) as info:
        validate_function_responses([FunctionResponse("ok", {}, id="0"), response], platform)
    assert message.replace("[0]", "[1]") in str(info.value)
