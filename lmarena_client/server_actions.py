"""Calls of the site's Next.js server actions (uploads, votes) by their discovered ids."""

from __future__ import annotations

from typing import Any

from .errors import DiscoveryError
from .protocol import build_action_body, parse_action_response
from .site import SiteInfo
from .transport import TEXT_PLAIN, Transport


class ServerActions:
    """POSTs to one page with a ``Next-Action`` header; answers the ``1:`` row's data."""

    def __init__(self, transport: Transport, page_path: str) -> None:
        self._transport = transport
        self._page_path = page_path

    async def call(self, site: SiteInfo, name: str, args: list[Any]) -> Any:
        action_id = site.action_ids.get(name)
        if action_id is None:
            raise DiscoveryError(f"the site's {name} action id was not found")
        text = await self._transport.request_text(
            "POST",
            site.origin + self._page_path,
            body=build_action_body(args),
            headers={
                "Next-Action": action_id,
                "Accept": "text/x-component",
                "Content-Type": TEXT_PLAIN,
            },
            referer_path=self._page_path,
        )
        return parse_action_response(text)
