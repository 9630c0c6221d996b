"""The fake site's models: a realistic mix of capabilities, as the page and catalog list them."""

from __future__ import annotations

import copy
import random
from typing import Any

from .ids import uuid7

Model = dict[str, Any]

TEXT_ONLY: dict[str, Any] = {"text": True}


def _model(
    model_id: str,
    public_name: str,
    *,
    organization: str | None,
    provider: str | None,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    name: str | None = None,
    rank: int = 0,
) -> Model:
    entry: Model = {"id": model_id, "publicName": public_name, "name": name or public_name}
    if organization is not None:
        entry["organization"] = organization
    if provider is not None:
        entry["provider"] = provider
    entry["capabilities"] = {"inputCapabilities": inputs, "outputCapabilities": outputs}
    entry["rank"] = rank
    return entry


def default_models() -> list[Model]:
    """About ten models; ids mix UUIDv4 (older) and UUIDv7 (newer) as on the real site."""
    return [
        _model(
            "019a98f7-afcd-779f-8dcb-856cc3b3f078",
            "gemini-3-pro",
            organization="google",
            provider="googleVertexGlobal",
            rank=1,
            inputs={"text": True, "image": {"multipleImages": True, "requiresUpload": True}},
            outputs={"text": True},
        ),
        _model(
            "0199e8e9-01ed-73e0-8a2d-5e9d6f1a2b3c",
            "claude-opus-4-5-20251101",
            organization="anthropic",
            provider="anthropicVertex",
            rank=2,
            inputs={"text": True, "image": True},
            outputs={"text": True},
        ),
        _model(
            "983bc566-b783-4d28-b24c-3c8b08eb1086",
            "gpt-5.2",
            organization="openai",
            provider="openaiResponses",
            name="gpt-5.2-chat",
            rank=3,
            inputs={"text": True, "image": True},
            outputs={"text": True},
        ),
        _model(
            "019ab3c1-7e2a-7c4d-9f10-2b6e8a4d5c71",
            "gpt-5.2",
            organization="openai",
            provider="openaiResponses",
            name="gpt-5.2-high-code",
            rank=5,
            inputs={"text": True},
            outputs={"web": True},
        ),
        _model(
            "7a55108b-b997-4cff-a72f-5aa83beee918",
            "deepseek-v3.2",
            organization="deepseek",
            provider="fireworks",
            rank=7,
            inputs={"text": True, "image": False},
            outputs={"text": True},
        ),
        _model(
            "0199d1a4-3b5e-7f21-a6c9-47e0d2b8f913",
            "claude-opus-4-5-20251101-thinking-32k",
            organization="anthropic",
            provider="anthropicVertex",
            rank=4,
            inputs={"text": True, "image": True},
            outputs={"text": True},
        ),
        _model(
            "019b0f6e-2c84-7a39-b5d1-93f4e7a60c28",
            "ghostfalcon-20251215",
            organization=None,
            provider=None,
            rank=9,
            inputs={"text": True},
            outputs={"text": True},
        ),
        _model(
            "e2d9d353-6dbe-4414-bf87-bd289d523726",
            "gemini-2.5-flash-image-preview (nano-banana)",
            organization="google",
            provider="googleVertexGlobal",
            rank=1,
            inputs={"text": True, "image": {"multipleImages": True, "requiresUpload": True}},
            outputs={"image": {"aspectRatios": ["1:1"]}},
        ),
        _model(
            "0199c7b2-5d1f-7e8a-9c3b-6a2f0e4d8b17",
            "flux-2-pro",
            organization="bfl",
            provider="fal",
            rank=3,
            inputs={"text": True},
            outputs={"image": {"aspectRatios": ["1:1"]}},
        ),
        _model(
            "b5ad3ab7-fc56-4ecd-8921-bd56b55c1159",
            "grok-4-search",
            organization="xai",
            provider="xaiApi",
            rank=2,
            inputs={"text": True},
            outputs={"search": True},
        ),
    ]


REASONING_MARKERS = ("thinking", "reasoning")


def outputs_of(model: Model) -> dict[str, Any]:
    caps: dict[str, Any] = model.get("capabilities", {})
    outputs: dict[str, Any] = caps.get("outputCapabilities", {})
    return outputs


def inputs_of(model: Model) -> dict[str, Any]:
    caps: dict[str, Any] = model.get("capabilities", {})
    inputs: dict[str, Any] = caps.get("inputCapabilities", {})
    return inputs


def accepts_images(model: Model) -> bool:
    """Vision: ``image`` is true or an object (``image: false`` is not vision)."""
    image = inputs_of(model).get("image")
    return image is True or isinstance(image, dict)


def accepts_many_images(model: Model) -> bool:
    image = inputs_of(model).get("image")
    return image is True or (isinstance(image, dict) and bool(image.get("multipleImages")))


def modalities_of(model: Model) -> frozenset[str]:
    """The ``modality`` values a chat request to this model may carry."""
    outputs = outputs_of(model)
    allowed: set[str] = set()
    if "image" in outputs:
        allowed.add("image")
    if "text" in outputs or "search" in outputs:
        allowed.update({"chat", "search"})
    if "web" in outputs:
        allowed.add("webdev")
    return frozenset(allowed)


def is_reasoning(model: Model) -> bool:
    return any(marker in str(model.get("publicName", "")) for marker in REASONING_MARKERS)


_ARENAS = (
    ("text", "text"),
    ("search", "search"),
    ("code", "web"),
    ("text-to-image", "image"),
)


class ModelBook:
    """Models shown in the page and models only in the catalog (drift)."""

    def __init__(self, *, in_page: bool, catalog_only: int) -> None:
        self.in_page = in_page
        self.page_models: list[Model] = default_models()
        self.catalog_only: list[Model] = []
        for i in range(catalog_only):
            self.add_catalog_only(f"catalog-only-model-{i + 1}")

    def add_catalog_only(
        self, public_name: str, *, vision: bool = False, image_output: bool = False
    ) -> Model:
        inputs: dict[str, Any] = {"text": True, "image": True} if vision else dict(TEXT_ONLY)
        outputs: dict[str, Any] = (
            {"image": {"aspectRatios": ["1:1"]}} if image_output else dict(TEXT_ONLY)
        )
        model = _model(
            uuid7(),
            public_name,
            organization="fakeorg",
            provider="fakeProvider",
            inputs=inputs,
            outputs=outputs,
            rank=20 + len(self.catalog_only),
        )
        self.catalog_only.append(model)
        return model

    def all(self) -> list[Model]:
        return [*self.page_models, *self.catalog_only]

    def find(self, model_id: object) -> Model | None:
        return next((m for m in self.all() if m["id"] == model_id), None)

    def by_name(self, public_name: str) -> list[Model]:
        return [m for m in self.all() if m["publicName"] == public_name]

    def shown_in_page(self) -> list[Model]:
        """``initialModels`` of the page: empty when the page no longer embeds models."""
        return copy.deepcopy(self.page_models) if self.in_page else []

    def battle_pair(self, modality: str) -> tuple[Model, Model]:
        """Two different models the site picks for an anonymous battle of ``modality``."""
        fitting = [m for m in self.page_models if modality in modalities_of(m)]
        if len(fitting) < 2:
            raise LookupError(f"no two models for {modality}")
        first, second = random.sample(fitting, 2)
        return first, second

    def catalog(self) -> list[dict[str, Any]]:
        """``/nextjs-api/model-catalog``: one group per arena, entries with catalog fields."""
        groups = []
        for arena, output in _ARENAS:
            entries = []
            for model in self.all():
                if output not in outputs_of(model):
                    continue
                entry = copy.deepcopy(model)
                entry["displayName"] = model["publicName"]
                entry["userSelectable"] = True
                entries.append(entry)
            groups.append({"arena": arena, "complete": True, "models": entries})
        return groups
