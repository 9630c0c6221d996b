"""What the client knows about the live site: origin, models, reCAPTCHA key, action ids."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from .browser import PageSnapshot
from .discovery import (
    ModelRegistry,
    parse_action_ids,
    parse_evaluation_chunk_paths,
    parse_model_catalog,
    parse_models_from_html,
    parse_site_key,
)
from .errors import DiscoveryError, SiteError
from .transport import Transport

log = logging.getLogger(__name__)

CATALOG_PATH = "/nextjs-api/model-catalog"
UPLOAD_ACTIONS = ("generateUploadUrl", "getSignedUrl")


@dataclass
class SiteInfo:
    origin: str
    site_key: str
    models: ModelRegistry
    action_ids: dict[str, str] = field(default_factory=dict)
    page: PageSnapshot | None = None


async def discover(page: PageSnapshot, transport: Transport, fallback_site_key: str) -> SiteInfo:
    """Models (page, then catalog), the site key and upload action ids from a fresh page."""
    site_key = parse_site_key(page.html)
    if site_key is None:
        log.warning("the page names no reCAPTCHA key; using the configured one")
        site_key = fallback_site_key
    models = await _models(page, transport)
    actions = await find_action_ids(page, transport)
    log.info("discovered %d models and %d action ids", len(models), len(actions))
    return SiteInfo(page.origin, site_key, models, actions, page)


async def _models(page: PageSnapshot, transport: Transport) -> ModelRegistry:
    in_page = parse_models_from_html(page.html)
    try:
        text = await transport.request_text("GET", page.origin + CATALOG_PATH)
        in_catalog = parse_model_catalog(json.loads(text))
    except (SiteError, ValueError) as exc:
        if not in_page:
            raise DiscoveryError(
                f"no models in the page and the model catalog failed: {exc}"
            ) from exc
        log.warning("model catalog unavailable (%s); using the page's models only", exc)
        in_catalog = []
    registry = ModelRegistry.merge(ModelRegistry(in_page), ModelRegistry(in_catalog))
    if not len(registry):
        raise DiscoveryError("the site listed no models (neither in the page nor in the catalog)")
    return registry


async def find_action_ids(page: PageSnapshot, transport: Transport) -> dict[str, str]:
    """Server action ids from the Evaluation module's chunks (newest chunk first)."""
    found: dict[str, str] = {}
    for path in reversed(parse_evaluation_chunk_paths(page.html)):
        url = f"{page.origin}/_next/{path.lstrip('/')}"
        try:
            js = await transport.request_text("GET", url)  # behind Cloudflare it needs cookies
        except SiteError as exc:
            log.debug("chunk %s not loaded: %s", path, exc)
            continue
        found.update(parse_action_ids(js))
        if all(name in found for name in UPLOAD_ACTIONS):
            break
    missing = [name for name in UPLOAD_ACTIONS if name not in found]
    if missing:
        log.warning("action ids not found: %s (image upload will not work)", ", ".join(missing))
    return found
