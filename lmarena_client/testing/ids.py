"""UUID checks and generators (the fake's own; it shares no code with the client)."""

from __future__ import annotations

import re
import secrets
import time
import uuid

_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_uuid(value: object) -> bool:
    """A lowercase, hyphenated UUID string of any version."""
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None


def is_uuid7(value: object) -> bool:
    """A hyphenated UUID of version 7 with the RFC 4122 variant."""
    if not is_uuid(value):
        return False
    parsed = uuid.UUID(str(value))
    return parsed.version == 7 and parsed.variant == uuid.RFC_4122


def uuid7(ms: int | None = None) -> str:
    """A UUIDv7 for the fake's own objects (model ids, user messages in battle)."""
    stamp = int(time.time() * 1000) if ms is None else ms
    rand = secrets.randbits(74)
    value = (stamp & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 62) << 64  # 12 bits rand_a
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def uuid4() -> str:
    return str(uuid.uuid4())
