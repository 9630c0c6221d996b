"""Discovery parsers: flight data, model entries, the catalog, chunk paths, action ids, site key.

Fixtures imitate the boot page and chunks described in the protocol reference (sections 2.1, 2.5,
2.6 and 7), written out by hand, including the JS escaping of flight strings.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lmarena_client.discovery import (
    ModelInfo,
    ModelRegistry,
    flight_text,
    parse_action_ids,
    parse_evaluation_chunk_paths,
    parse_model_catalog,
    parse_models_from_html,
    parse_site_key,
)
from lmarena_client.errors import ModelNotFoundError

GEMINI_ID = "0199f060-b306-7e1f-aeae-0ebb4e3f1122"
NANO_ID = "0199c36b-2d44-7c1f-9b5a-31b2c7f0a1e3"
GPT_WEB_ID = "019a98f7-afcd-779f-8dcb-856cc3b3f078"
GPT_TEXT_ID = "983bc566-b783-4d28-b24c-3c8b08eb1086"
STEALTH_ID = "019b2a10-7c3e-7d52-9a4f-4a7d2b6c9e10"
BLIND_ID = "0198e7c2-1f5a-7b3e-8c2d-6e9f0a1b2c3d"
SEARCH_ID = "0199aa01-7e6f-7b1c-9d2e-3f4a5b6c7d8e"
KITEKI_ID = "019c0d1e-2f3a-7b4c-8d5e-6f7a8b9c0d1e"
VIDEO_ID = "0199bb02-8f7a-7c2d-8e3f-4a5b6c7d8e9f"


def model_entry(
    model_id: str,
    public_name: str,
    *,
    inputs: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": model_id,
        "publicName": public_name,
        "capabilities": {
            "inputCapabilities": inputs if inputs is not None else {"text": True},
            "outputCapabilities": outputs if outputs is not None else {"text": True},
        },
        **extra,
    }


PAGE_MODELS: list[Any] = [
    model_entry(
        GEMINI_ID,
        "gemini-3-pro",
        inputs={"text": True, "image": True},
        organization="google",
        provider="googleVertexGlobal",
        rank=1,
        rankByModality={"chat": 1, "webdev": 4},
    ),
    model_entry(
        NANO_ID,
        "gemini-2.5-flash-image-preview (nano-banana)",
        inputs={"text": True, "image": {"multipleImages": True, "requiresUpload": True}},
        outputs={"image": {"aspectRatios": ["1:1"]}},
        organization="google",
        provider="googleVertexGlobal",
    ),
    # webdev variant first, text variant second: the text one must win
    model_entry(
        GPT_WEB_ID, "gpt-5.2", outputs={"web": True}, organization="openai", provider="openai"
    ),
    model_entry(
        GPT_TEXT_ID,
        "gpt-5.2",
        outputs={"text": True, "web": True},
        organization="openai",
        provider="openaiResponses",
    ),
    model_entry(STEALTH_ID, "ghostfalcon-20251215"),  # stealth: no organization or provider
    model_entry(BLIND_ID, "blind-model", inputs={"text": True, "image": False}, organization="x"),
    model_entry("not-a-uuid", "broken-id"),
    {"id": "0199aaaa-0000-7000-8000-000000000000", "capabilities": {}},  # no publicName
    "not an object",
]


def push(text: str) -> str:
    """A flight push as Next.js writes it: the text as a JS string literal."""
    literal = json.dumps(text).replace("<", "\\u003c")
    return f"<script>self.__next_f.push([1,{literal}])</script>"


def page(*pushes: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
        f'{head}</head><body class="no-js">'
        "<script>(self.__next_f=self.__next_f||[]).push([0])</script>"
        + "".join(pushes)
        + "</body></html>"
    )


def models_row(models: list[Any], row_id: str = "5") -> str:
    props = {
        "initialModels": models,
        "initialModelAId": GEMINI_ID,
        "initialModelBId": NANO_ID,
    }
    return f"{row_id}:" + json.dumps(["$", "$L6", None, props], ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------- flight


def test_flight_text_decodes_hand_escaped_pushes_in_order() -> None:
    html = (
        '<script>self.__next_f.push([1,"1:\\"$Sreact.fragment\\"\\n2:I[7,[],\\"x\\"]\\n"])</script>'
        '<script>self.__next_f.push([1,"3:[\\"$\\",\\"div\\",null,'
        '{\\"children\\":\\"caf\\u00e9 \\u003c\\"}]\\n"])</script>'
        '<script>self.__next_f.push([2,"ignored"])</script>'
    )
    assert flight_text(html) == (
        '1:"$Sreact.fragment"\n2:I[7,[],"x"]\n3:["$","div",null,{"children":"café <"}]\n'
    )


def test_flight_text_without_pushes_is_empty() -> None:
    assert flight_text("<html><body>nothing</body></html>") == ""


# --------------------------------------------------------------------------------- models


def test_models_from_a_four_element_react_row() -> None:
    html = page(push('1:"$Sreact.fragment"\n'), push(models_row(PAGE_MODELS)))
    models = parse_models_from_html(html)
    assert [m.id for m in models] == [
        GEMINI_ID,
        NANO_ID,
        GPT_WEB_ID,
        GPT_TEXT_ID,
        STEALTH_ID,
        BLIND_ID,
    ]
    gemini, nano, gpt_web, gpt_text, stealth, blind = models
    assert gemini == ModelInfo(
        id=GEMINI_ID,
        public_name="gemini-3-pro",
        display_name=None,
        organization="google",
        provider="googleVertexGlobal",
        text_output=True,
        image_output=False,
        vision=True,
        multiple_images=False,
        search_output=False,
        web_output=False,
        user_selectable=True,
    )
    assert gemini.modality == "chat"
    assert nano.image_output and nano.vision and nano.multiple_images
    assert not nano.text_output
    assert nano.modality == "image"
    assert gpt_web.web_output and not gpt_web.text_output
    assert gpt_text.text_output and gpt_text.web_output and gpt_text.modality == "chat"
    assert stealth.organization is None and stealth.provider is None
    assert not blind.vision  # image: false is not vision
    assert not stealth.vision  # no image key


def test_models_from_a_three_element_row() -> None:
    row = "8:" + json.dumps(["$", {}, {"initialModels": PAGE_MODELS[:2]}]) + "\n"
    models = parse_models_from_html(page(push(row)))
    assert [m.public_name for m in models] == [
        "gemini-3-pro",
        "gemini-2.5-flash-image-preview (nano-banana)",
    ]


def test_models_row_split_across_two_pushes() -> None:
    row = models_row(PAGE_MODELS)
    cut = row.index("nano-banana")
    html = page(push('1:"$Sreact.fragment"\n' + row[:cut]), push(row[cut:] + '9:"tail"\n'))
    models = parse_models_from_html(html)
    assert len(models) == 6
    assert models[1].public_name == "gemini-2.5-flash-image-preview (nano-banana)"


def test_models_with_non_ascii_names_survive_the_escaping() -> None:
    entry = model_entry(KITEKI_ID, "kiteki", displayName="qwen3.5-max-preview ✓ 模型")
    models = parse_models_from_html(page(push(models_row([entry]))))
    assert models[0].display_name == "qwen3.5-max-preview ✓ 模型"


def test_models_absent() -> None:
    assert parse_models_from_html(page(push('1:"$Sreact.fragment"\n'))) == []
    assert parse_models_from_html("") == []


def test_models_skip_a_non_array_initial_models_value() -> None:
    rows = '4:{"initialModels":"$undefined"}\n' + models_row(PAGE_MODELS[:1])
    models = parse_models_from_html(page(push(rows)))
    assert [m.id for m in models] == [GEMINI_ID]


def test_models_from_an_rsc_payload() -> None:
    rsc = '0:["bbgf",[]]\n' + models_row(PAGE_MODELS[:1])
    assert [m.id for m in parse_models_from_html(rsc)] == [GEMINI_ID]


def test_search_only_and_video_only_models() -> None:
    entries = [
        model_entry(SEARCH_ID, "search-pro", outputs={"search": True}),
        model_entry(VIDEO_ID, "kling-2.6-pro", outputs={"video": True}),
        model_entry(KITEKI_ID, "search-chat", outputs={"text": True, "search": True}),
    ]
    search, video, search_chat = parse_models_from_html(page(push(models_row(entries))))
    assert search.modality == "search" and search.search_output
    assert video.modality == "chat" and not video.text_output and not video.image_output
    assert search_chat.modality == "chat"


def test_image_and_search_output_prefers_image() -> None:
    entry = model_entry(NANO_ID, "img", outputs={"image": {"aspectRatios": []}, "search": True})
    (model,) = parse_models_from_html(page(push(models_row([entry]))))
    assert model.modality == "image"


# --------------------------------------------------------------------------------- catalog

CATALOG: list[dict[str, Any]] = [
    {
        "arena": "text",
        "complete": True,
        "models": [
            model_entry(GEMINI_ID, "gemini-3-pro", organization="google", userSelectable=True),
            model_entry(KITEKI_ID, "kiteki", displayName="qwen3.5-max-preview", rank=3),
            model_entry(BLIND_ID, "hidden-model", userSelectable=False),
        ],
    },
    {
        "arena": "code",
        "complete": True,
        "models": [
            model_entry(GPT_WEB_ID, "gpt-5.2", outputs={"web": True}, userSelectable=True),
            model_entry(GEMINI_ID, "gemini-3-pro", organization="google", userSelectable=True),
        ],
    },
    {
        "arena": "text-to-image",
        "complete": False,
        "models": [
            model_entry(NANO_ID, "nano", outputs={"image": {"aspectRatios": ["1:1"]}}),
        ],
    },
    {"arena": "search", "complete": True, "models": []},
    {"arena": "broken", "models": "nope"},
]


def test_catalog_skips_unselectable_and_dedups_ids() -> None:
    models = parse_model_catalog(CATALOG)
    assert [m.id for m in models] == [GEMINI_ID, KITEKI_ID, GPT_WEB_ID, NANO_ID]
    assert models[1].display_name == "qwen3.5-max-preview"
    assert models[1].user_selectable
    assert models[3].modality == "image"


def test_catalog_of_another_shape_is_empty() -> None:
    assert parse_model_catalog({"error": "nope"}) == []
    assert parse_model_catalog(None) == []
    assert parse_model_catalog([]) == []


# --------------------------------------------------------------------------------- chunks

EVALUATION_ROWS = (
    '2:I[5219,["8487","static/chunks/a27796df-ab6011bc4f106458.js?dpl=dpl_7Xq","3001",'
    '"static/chunks/3001-aa.js?dpl=dpl_7Xq"],"ThemeProvider"]\n'
    'e:I[398,["8487","static/chunks/a27796df-ab6011bc4f106458.js?dpl=dpl_7Xq","7551",'
    '"static/chunks/7551-c7019e0865514821.js?dpl=dpl_7Xq","2398",'
    '"static/chunks/2398-19f71176cd9db168.js?dpl=dpl_7Xq"],"Evaluation"]\n'
    '4:["$","$Le",null,{"data-sentry-element":"Evaluation","children":"$L1f"}]\n'
)


def test_evaluation_chunk_paths_in_page_order() -> None:
    cut = EVALUATION_ROWS.index("7551-c70")
    html = page(push(EVALUATION_ROWS[:cut]), push(EVALUATION_ROWS[cut:]))
    assert parse_evaluation_chunk_paths(html) == [
        "static/chunks/a27796df-ab6011bc4f106458.js?dpl=dpl_7Xq",
        "static/chunks/7551-c7019e0865514821.js?dpl=dpl_7Xq",
        "static/chunks/2398-19f71176cd9db168.js?dpl=dpl_7Xq",
    ]


def test_evaluation_chunk_paths_absent() -> None:
    assert parse_evaluation_chunk_paths(page(push('2:I[1,["1","static/chunks/1.js"],"X"]\n'))) == []
    assert parse_evaluation_chunk_paths("<html></html>") == []


def test_evaluation_chunk_paths_from_an_rsc_payload() -> None:
    paths = parse_evaluation_chunk_paths('0:["b",[]]\n' + EVALUATION_ROWS)
    assert paths[-1] == "static/chunks/2398-19f71176cd9db168.js?dpl=dpl_7Xq"


# --------------------------------------------------------------------------------- actions

UPLOAD_ID = "70cb393626e05a5f0ce7dcb46977c36c139fa85f91"
SIGNED_ID = "6064c365792a3eaf40a60a874b327fe031ea6f22d7"
HISTORY_ID = "7041050938442628152fc518d12973b07d76f2e479"

CHUNK_JS = (
    '"use strict";(self.webpackChunk_N_E=self.webpackChunk_N_E||[]).push([[7551],{47423:(e,t,a)=>'
    '{a.d(t,{Evaluation:()=>lL});var w=a(7094);let rQ=(0,w.createServerReference)("'
    + UPLOAD_ID
    + '",w.callServer,void 0,w.findSourceMapURL,"generateUploadUrl"),'
    'rJ=(0,w.createServerReference)("'
    + SIGNED_ID
    + '",w.callServer,void 0,w.findSourceMapURL,"getSignedUrl");let h=(0,w.createServerReference)("'
    + "ab" * 20  # 40 hex: not an action id of this site
    + '",w.callServer,void 0,w.findSourceMapURL,"tooShort"),u=(0,w.createServerReference)("'
    + "7041050938442628152FC518D12973B07D76F2E479"  # uppercase: ignored
    + '",w.callServer,void 0,w.findSourceMapURL,"upperCase");var g=(0,w.createServerReference)("'
    + HISTORY_ID
    + '",w.callServer,void 0,w.findSourceMapURL,"getHistoryPage");'
    'function lL(){return (0,n.jsx)("div",{children:"createServerReference(\\"x\\")"})}}}]);'
)


def test_action_ids_from_a_chunk() -> None:
    assert parse_action_ids(CHUNK_JS) == {
        "generateUploadUrl": UPLOAD_ID,
        "getSignedUrl": SIGNED_ID,
        "getHistoryPage": HISTORY_ID,
    }


def test_action_ids_absent() -> None:
    assert parse_action_ids("console.log('no actions here')") == {}


# --------------------------------------------------------------------------------- site key

KEY = "6Led_uYrAAAAAKjxDIF58fgFtX3t8loNAK85bW9I"
NEW_KEY = "6LeTGMcsAAAAALuIlkVwIxaAuZA8VledA6d3Nnb0"


@pytest.mark.parametrize(
    "head",
    [
        f'<script src="https://www.google.com/recaptcha/enterprise.js?render={KEY}"></script>',
        f'<script src="https://www.google.com/recaptcha/enterprise.js?hl=en&amp;render={KEY}">',
        f"<script src='https://www.google.com/recaptcha/enterprise.js?render={KEY}&amp;hl=en'>",
        '<link rel="preload" as="script" href="https://www.recaptcha.net/recaptcha/'
        f'enterprise.js?render={KEY}&hl=en"/>',
    ],
)
def test_site_key_from_the_script_url(head: str) -> None:
    assert parse_site_key(page(head=head)) == KEY


def test_site_key_from_flight_data() -> None:
    row = (
        '7:["$","script",null,{"src":"https://www.google.com/recaptcha/enterprise.js?hl=en'
        f'&render={NEW_KEY}","async":true}}]\n'
    )
    html = page(push(row)).replace("&", "\\u0026")
    assert "\\u0026render=" in html
    assert parse_site_key(html) == NEW_KEY


def test_site_key_from_an_execute_call() -> None:
    js = (
        '<script src="https://www.google.com/recaptcha/enterprise.js?render=explicit"></script>'
        f'<script>grecaptcha.enterprise.execute("{NEW_KEY}",{{action:"chat_submit"}})</script>'
    )
    assert parse_site_key(js) == NEW_KEY


def test_site_key_prefers_the_script_over_execute() -> None:
    html = page(
        head=f'<script src="https://www.google.com/recaptcha/enterprise.js?render={NEW_KEY}">',
    ) + (f'<script>grecaptcha.enterprise.execute("{KEY}",{{action:"chat_submit"}})</script>')
    assert parse_site_key(html) == NEW_KEY


def test_site_key_absent() -> None:
    assert parse_site_key(page(push('1:"x"\n'))) is None
    assert parse_site_key("enterprise.js?render=explicit") is None


# --------------------------------------------------------------------------------- registry


def registry_from_page() -> ModelRegistry:
    return ModelRegistry(parse_models_from_html(page(push(models_row(PAGE_MODELS)))))


def test_registry_prefers_the_text_variant_of_a_duplicate_name() -> None:
    registry = registry_from_page()
    assert registry.get("gpt-5.2").id == GPT_TEXT_ID
    assert len(registry) == 5


def test_registry_keeps_the_first_of_equal_duplicates() -> None:
    first = model_entry(GPT_TEXT_ID, "twin")
    second = model_entry(GEMINI_ID, "twin")
    registry = ModelRegistry(parse_models_from_html(page(push(models_row([first, second])))))
    assert registry.get("twin").id == GPT_TEXT_ID
    web_a = model_entry(GPT_WEB_ID, "web-twin", outputs={"web": True})
    web_b = model_entry(VIDEO_ID, "web-twin", outputs={"video": True})
    registry = ModelRegistry(parse_models_from_html(page(push(models_row([web_a, web_b])))))
    assert registry.get("web-twin").id == GPT_WEB_ID


def test_registry_names_are_sorted_chat_and_image_models() -> None:
    extra = [
        model_entry(VIDEO_ID, "kling-2.6-pro", outputs={"video": True}),
        model_entry(SEARCH_ID, "search-pro", outputs={"search": True}),
        model_entry(KITEKI_ID, "a-webdev-only", outputs={"web": True}),
    ]
    models = parse_models_from_html(page(push(models_row(PAGE_MODELS + extra))))
    registry = ModelRegistry(models)
    assert registry.names() == [
        "blind-model",
        "gemini-2.5-flash-image-preview (nano-banana)",
        "gemini-3-pro",
        "ghostfalcon-20251215",
        "gpt-5.2",
    ]
    assert "kling-2.6-pro" in registry  # known, just not listed as a chat model
    assert registry.get("search-pro").modality == "search"


def test_registry_container_protocol() -> None:
    registry = registry_from_page()
    assert "gemini-3-pro" in registry
    assert "Gemini-3-Pro" not in registry
    assert 42 not in registry
    assert [m.public_name for m in registry] == [
        "gemini-3-pro",
        "gemini-2.5-flash-image-preview (nano-banana)",
        "gpt-5.2",
        "ghostfalcon-20251215",
        "blind-model",
    ]


def test_unknown_model_suggests_close_names_case_insensitively() -> None:
    registry = registry_from_page()
    with pytest.raises(ModelNotFoundError) as info:
        registry.get("GEMINI-3-PRO")
    assert info.value.name == "GEMINI-3-PRO"
    assert info.value.suggestions[0] == "gemini-3-pro"
    assert "gemini-3-pro" in str(info.value)


def test_unknown_model_suggests_at_most_five() -> None:
    entries = [
        model_entry(f"0199{i:04x}-0000-7000-8000-000000000000", f"gpt-5.{i}") for i in range(9)
    ]
    registry = ModelRegistry(parse_models_from_html(page(push(models_row(entries)))))
    with pytest.raises(ModelNotFoundError) as info:
        registry.get("gpt-5")
    assert 1 <= len(info.value.suggestions) <= 5
    assert all(name.startswith("gpt-5.") for name in info.value.suggestions)


def test_unknown_model_with_nothing_close() -> None:
    with pytest.raises(ModelNotFoundError) as info:
        registry_from_page().get("zzzzzzzzzzzzzzzzzzzz")
    assert info.value.suggestions == []


def test_merge_adds_catalog_extras_and_keeps_page_models() -> None:
    page_registry = registry_from_page()
    catalog_registry = ModelRegistry(parse_model_catalog(CATALOG))
    merged = ModelRegistry.merge(page_registry, catalog_registry)
    assert merged.get("gemini-3-pro").provider == "googleVertexGlobal"  # the page's entry
    assert merged.get("gpt-5.2").id == GPT_TEXT_ID  # page text beats catalog webdev
    assert merged.get("kiteki").id == KITEKI_ID  # catalog-only
    assert merged.get("nano").id == NANO_ID
    assert "hidden-model" not in merged
    assert len(merged) == len(page_registry) + 2


def test_merge_lets_a_catalog_text_model_replace_a_page_webdev_only_one() -> None:
    page_only_web = ModelRegistry([_info(GPT_WEB_ID, "gpt-5.2", text=False, web=True)])
    catalog = ModelRegistry([_info(GPT_TEXT_ID, "gpt-5.2", text=True)])
    assert ModelRegistry.merge(page_only_web, catalog).get("gpt-5.2").id == GPT_TEXT_ID


def test_merge_with_an_empty_page() -> None:
    merged = ModelRegistry.merge(ModelRegistry([]), ModelRegistry(parse_model_catalog(CATALOG)))
    assert merged.names() == ["gemini-3-pro", "kiteki", "nano"]


def _info(model_id: str, name: str, *, text: bool, web: bool = False) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        public_name=name,
        display_name=None,
        organization=None,
        provider=None,
        text_output=text,
        image_output=False,
        vision=False,
        multiple_images=False,
        search_output=False,
        web_output=web,
        user_selectable=True,
    )
