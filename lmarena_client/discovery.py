"""What the site's pages tell a client, as pure parsing: models, action ids, the site key.

Inputs are text (the boot page's HTML, a JS chunk, the model-catalog JSON); nothing here does
I/O. The parsers look for the few values they need rather than walking React element shapes,
which change between site builds.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import ModelNotFoundError

log = logging.getLogger(__name__)

_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class ModelInfo:
    id: str
    public_name: str
    display_name: str | None
    organization: str | None
    provider: str | None
    text_output: bool
    image_output: bool
    vision: bool
    multiple_images: bool
    search_output: bool
    web_output: bool
    user_selectable: bool

    @property
    def modality(self) -> str:
        """The ``modality`` field of a chat request to this model."""
        if self.image_output:
            return "image"
        if self.search_output and not self.text_output:
            return "search"
        return "chat"

    @property
    def chat_or_image(self) -> bool:
        """Whether the model answers in text or images (not only webdev, video or search)."""
        return self.text_output or self.image_output


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _model_from_entry(entry: Any) -> ModelInfo | None:
    """A model entry of ``initialModels`` or the catalog; None when it lacks a UUID or name."""
    if not isinstance(entry, dict):
        return None
    model_id, public_name = entry.get("id"), entry.get("publicName")
    if not isinstance(model_id, str) or not _UUID_RE.fullmatch(model_id):
        return None
    if not isinstance(public_name, str) or not public_name:
        return None
    capabilities = entry.get("capabilities")
    capabilities = capabilities if isinstance(capabilities, dict) else {}
    inputs = capabilities.get("inputCapabilities")
    inputs = inputs if isinstance(inputs, dict) else {}
    outputs = capabilities.get("outputCapabilities")
    outputs = outputs if isinstance(outputs, dict) else {}
    image_input = inputs.get("image")
    return ModelInfo(
        id=model_id,
        public_name=public_name,
        display_name=_optional_text(entry.get("displayName")),
        organization=_optional_text(entry.get("organization")),
        provider=_optional_text(entry.get("provider")),
        text_output=bool(outputs.get("text")),
        # image output is an object of aspect ratios; video/search/web are flags
        image_output=bool(outputs.get("image")),
        # image:false must not count: only true or the object form mean image input
        vision=image_input is True or isinstance(image_input, dict),
        multiple_images=isinstance(image_input, dict) and image_input.get("multipleImages") is True,
        search_output=bool(outputs.get("search")),
        web_output=bool(outputs.get("web")),
        user_selectable=entry.get("userSelectable") is not False,
    )


def _models_from_entries(entries: Iterable[Any]) -> list[ModelInfo]:
    models = []
    for entry in entries:
        model = _model_from_entry(entry)
        if model is None:
            log.debug("skipping a model entry without a UUID id or publicName")
        else:
            models.append(model)
    return models


# ---------------------------------------------------------------------------------------------
# Next.js flight data

_PUSH_RE = re.compile(r'self\.__next_f\.push\(\[\s*1\s*,\s*("(?:[^"\\]|\\.)*")\s*\]\)', re.S)


def flight_text(html: str) -> str:
    """The concatenated strings of every ``self.__next_f.push([1,"..."])`` in the page.

    Rows of flight data may span two pushes, so they are only readable after concatenation.
    """
    parts = []
    for match in _PUSH_RE.finditer(html):
        try:
            parts.append(json.loads(match[1]))
        except (ValueError, RecursionError):
            log.debug("skipping a flight push whose string does not decode")
    return "".join(parts)


def _search_texts(html: str) -> list[str]:
    """Flight text first; the raw text too, for an RSC payload (``text/x-component``)."""
    flight = flight_text(html)
    return [flight, html] if flight else [html]


_INITIAL_MODELS_RE = re.compile(r'"initialModels"\s*:\s*')


def parse_models_from_html(html: str) -> list[ModelInfo]:
    """Models of the ``"initialModels": [...]`` value in the page's flight data; [] if absent."""
    for text in _search_texts(html):
        for match in _INITIAL_MODELS_RE.finditer(text):
            try:
                value, _ = _DECODER.raw_decode(text, match.end())
            except (ValueError, RecursionError):
                continue
            if isinstance(value, list):
                return _models_from_entries(value)
    return []


def parse_model_catalog(data: Any) -> list[ModelInfo]:
    """Models of ``/nextjs-api/model-catalog`` (groups of ``{arena, complete, models}``).

    Entries with ``userSelectable: false`` are dropped, and an id listed by several arenas is
    kept once.
    """
    if not isinstance(data, list):
        log.warning("the model catalog is not a JSON array; ignoring it")
        return []
    entries: list[Any] = []
    for group in data:
        if isinstance(group, dict) and isinstance(group.get("models"), list):
            entries += group["models"]
        elif isinstance(group, dict) and "publicName" in group:
            entries.append(group)  # a flat list of models
    models, seen = [], set()
    for model in _models_from_entries(entries):
        if model.user_selectable and model.id not in seen:
            seen.add(model.id)
            models.append(model)
    return models


_CLIENT_MODULE_ROW_RE = re.compile(r"^[0-9a-f]+:I(?=\[)", re.M)
_CHUNK_PATH_RE = re.compile(r"\.js(?:\?|$)")


def parse_evaluation_chunk_paths(html: str) -> list[str]:
    """JS chunk paths (``static/chunks/x.js?dpl=...``) of the Evaluation client module.

    The rows look like ``<hex>:I[<module>,[chunkId, path, chunkId, path, ...],"Evaluation"]``.
    """
    paths: list[str] = []
    for text in _search_texts(html):
        for match in _CLIENT_MODULE_ROW_RE.finditer(text):
            try:
                row, _ = _DECODER.raw_decode(text, match.end())
            except (ValueError, RecursionError):
                continue
            if not (isinstance(row, list) and len(row) >= 3 and row[2] == "Evaluation"):
                continue
            if not isinstance(row[1], list):
                continue
            for item in row[1]:
                if isinstance(item, str) and _CHUNK_PATH_RE.search(item) and item not in paths:
                    paths.append(item)
        if paths:
            break
    return paths


_SERVER_REFERENCE_RE = re.compile(
    r"""createServerReference\)?\(\s*["']([0-9A-Fa-f]{40,})["']([^"'()]*)["']([A-Za-z_$][\w$]*)["']\s*\)"""
)
_ACTION_ID_RE = re.compile(r"[0-9a-f]{42}")


def parse_action_ids(js: str) -> dict[str, str]:
    """``{action name: id}`` from ``createServerReference("<id>", ..., "<name>")`` calls.

    Only 42-character lowercase hex ids are taken; the first id seen for a name wins.
    """
    actions: dict[str, str] = {}
    for match in _SERVER_REFERENCE_RE.finditer(js):
        action_id, name = match[1], match[3]
        if _ACTION_ID_RE.fullmatch(action_id) and name not in actions:
            actions[name] = action_id
    return actions


_ENTERPRISE_SCRIPT_RE = re.compile(r"""recaptcha/enterprise\.js\?([^"'<>\s]*)""")
_EXECUTE_RE = re.compile(r"""grecaptcha\.enterprise\.execute\(\s*\\?["']([\w-]{20,})\\?["']""")
_SITE_KEY_RE = re.compile(r"[\w-]{20,}")


def parse_site_key(html: str) -> str | None:
    """The reCAPTCHA Enterprise v3 key: ``enterprise.js?render=<key>``, else an execute call.

    The script URL may be HTML-escaped (``&amp;``) or sit JS-escaped in flight data.
    """
    for match in _ENTERPRISE_SCRIPT_RE.finditer(html):
        query = match[1].replace("&amp;", "&").replace("\\u0026", "&")
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            key = _SITE_KEY_RE.match(value) if name == "render" else None
            if key is not None:
                return key[0]
    execute = _EXECUTE_RE.search(html)
    return execute[1] if execute else None


# ---------------------------------------------------------------------------------------------
# Registry


class ModelRegistry:
    """Models by public name; one entry per name."""

    def __init__(self, models: Iterable[ModelInfo]) -> None:
        self._by_name: dict[str, ModelInfo] = {}
        # Every listed id (variants too): what a battle's vote names.
        self._all = list(models)
        self._names_by_id = {model.id: model.public_name for model in self._all}
        for model in self._all:
            kept = self._by_name.get(model.public_name)
            # Names repeat across variants (text vs webdev, video kinds): the chat/image one wins.
            if kept is None or (model.chat_or_image and not kept.chat_or_image):
                self._by_name[model.public_name] = model

    def get(self, public_name: str) -> ModelInfo:
        """The model of that public name; ModelNotFoundError with close names otherwise."""
        model = self._by_name.get(public_name)
        if model is not None:
            return model
        by_lower: dict[str, str] = {}
        for name in self._by_name:
            by_lower.setdefault(name.lower(), name)
        close = difflib.get_close_matches(public_name.lower(), list(by_lower), n=5, cutoff=0.5)
        raise ModelNotFoundError(public_name, suggestions=[by_lower[name] for name in close])

    def name_of(self, model_id: str) -> str | None:
        """The public name of the model with this id, if the site lists it."""
        return self._names_by_id.get(model_id)

    def names(self) -> list[str]:
        """Sorted public names of the models that answer in text or images."""
        return sorted(name for name, model in self._by_name.items() if model.chat_or_image)

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, public_name: object) -> bool:
        return public_name in self._by_name

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(list(self._by_name.values()))

    @staticmethod
    def merge(primary: ModelRegistry, fallback: ModelRegistry) -> ModelRegistry:
        """``primary``'s models plus those only ``fallback`` has (same preference rules)."""
        return ModelRegistry([*primary._all, *fallback._all])
