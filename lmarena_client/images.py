"""Turn what a caller passes as an image into checked bytes with a trusted type and a filename.

Five input forms are accepted: bytes-like objects, ``data:`` URIs, filesystem paths (``str`` or
``os.PathLike``), binary file-like objects and ``http(s)`` URLs (fetched through an
:class:`ImageFetcher`, normally :class:`lmarena_client.safe_fetch.SafeFetcher`).

The type always comes from the bytes themselves (:func:`sniff_image_type`); declared types,
``Content-Type`` headers and file extensions are ignored. The bytes must then be a complete
image of that type (:mod:`lmarena_client.image_structure`): a file cut short starts like a good
one, so the magic bytes alone would let it through. Filenames keep the caller's stem, but
their extension is made to match the sniffed type: ``photo.png`` holding a JPEG becomes
``photo.jpg``, and a name without an image extension gets one appended (``scan`` becomes
``scan.png``, ``v1.2`` becomes ``v1.2.png``).

Only the standard library is used here, so importing this module stays cheap.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeAlias
from urllib.parse import unquote, urlsplit

from .errors import (
    ImageError,
    ImageTooLargeError,
    UnsupportedImageTypeError,
)
from .image_structure import structure_problem


class BinaryReader(Protocol):
    """Anything with a binary ``read(size)``: open(..., "rb"), io.BytesIO, ..."""

    def read(self, size: int, /) -> bytes: ...


ImageSource: TypeAlias = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryReader
"""Bytes, a ``data:`` URI, an ``http(s)://`` URL, a filesystem path or a binary file object."""

# MIME type -> known extensions, canonical one first. Order is the order listed in messages.
IMAGE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "image/bmp": (".bmp", ".dib"),
    "image/tiff": (".tiff", ".tif"),
}
SUPPORTED_TYPES: tuple[str, ...] = tuple(IMAGE_EXTENSIONS)
_ALL_EXTENSIONS = frozenset(ext for exts in IMAGE_EXTENSIONS.values() for ext in exts)
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
_UNITS = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))
# Above this size the structure walk runs in a thread: it takes milliseconds per megabyte, and
# seconds for a hostile file of millions of tiny chunks, which must not stall the event loop.
_WALK_INLINE_BYTES = 256 * 1024


@dataclass(frozen=True)
class ImageBlob:
    """Image bytes ready to upload; ``mime_type`` was sniffed from ``data``."""

    data: bytes = field(repr=False)
    mime_type: str
    filename: str
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        # Computed once: the upload cache keys on it for every send.
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class FetchedImage:
    """The body of an http(s) image, the URL it finally came from and its declared type."""

    data: bytes
    url: str
    content_type: str | None = None


class ImageFetcher(Protocol):
    """What :func:`load_image` needs to download an http(s) image."""

    async def fetch(self, url: str, *, max_bytes: int | None = None) -> FetchedImage: ...


# -- sniffing --------------------------------------------------------------------------------

_BMP_DIB_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})


def sniff_image_type(data: bytes | bytearray | memoryview) -> str | None:
    """The MIME type of ``data`` judged by its magic bytes only, or None if not a known image."""
    head = bytes(data[:256])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if _is_bmp(head):
        return "image/bmp"
    return None


def _is_bmp(head: bytes) -> bool:
    # "BM" alone is too weak (plenty of text starts with it): require a known DIB header size.
    return (
        len(head) >= 18
        and head[:2] == b"BM"
        and int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES
    )


# -- messages --------------------------------------------------------------------------------


def format_size(size: int) -> str:
    """``512 bytes``, ``12.5 KB``, ``10 MB`` (binary units, one decimal, trailing .0 dropped)."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    unit, scale = next((u, s) for u, s in _UNITS if size >= s)
    return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"


def size_comparison(size: int, limit: int) -> tuple[str, str]:
    """Both sizes formatted, in exact bytes when rounding would make them look equal."""
    shown, shown_limit = format_size(size), format_size(limit)
    if shown == shown_limit:
        return f"{size:,} bytes", f"{limit:,} bytes"
    return shown, shown_limit


def supported_types_text() -> str:
    return ", ".join(mime.removeprefix("image/").upper() for mime in SUPPORTED_TYPES)


def _subject(index: int | None, name: str | None) -> str:
    """How a message refers to the image: ``image 2 ('cat.gif')``, ``the image``, ..."""
    if index is not None and name:
        return f"image {index} ({name!r})"
    if index is not None:
        return f"image {index}"
    if name:
        return f"image {name!r}"
    return "the image"


class _Refusal(Exception):
    """A reader's refusal, worded by :func:`load_image` once the image's position is known.

    ``lead``: the text follows the image's subject (``<subject> is empty``); otherwise the
    subject, with a position, comes first as ``<subject>: <text>``. ``original``: the error
    as raised by the fetcher, kept as it is when there is no position to add.
    """

    def __init__(
        self,
        error: type[ImageError],
        text: str,
        *,
        name: str | None = None,
        lead: bool = False,
        original: ImageError | None = None,
    ) -> None:
        super().__init__(text)
        self.error, self.text, self.name, self.lead = error, text, name, lead
        self.original = original

    def worded(self, index: int | None) -> ImageError:
        if self.original is not None and index is None:
            return self.original
        if self.lead:
            return self.error(f"{_subject(index, self.name)} {self.text}")
        if index is None:
            return self.error(self.text)
        return self.error(f"{_subject(index, self.name)}: {self.text}")


def _refused(text: str) -> _Refusal:
    return _Refusal(ImageError, text)


def _too_large(name: str | None, size: int, limit: int) -> _Refusal:
    shown, shown_limit = size_comparison(size, limit)
    return _Refusal(
        ImageTooLargeError, f"is {shown}; the limit is {shown_limit}", name=name, lead=True
    )


def _over_limit(name: str | None, limit: int) -> _Refusal:
    """For streams whose full size is unknown: we stopped reading just past the limit."""
    text = f"is larger than the limit of {format_size(limit)}"
    return _Refusal(ImageTooLargeError, text, name=name, lead=True)


def _short(text: str, limit: int = 80) -> str:
    """Shown in messages: long strings (often base64 passed as a path) are cut."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _describe_unknown(data: bytes, declared: str | None) -> str:
    # Incremental decoding tolerates a multi-byte character cut at the end of the sample.
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(data[:512], final=False)
    except UnicodeDecodeError:
        text = None
    if text and _mostly_text(text):
        lowered = text.lstrip().lower()
        if "<svg" in lowered:
            kind = "an SVG (vector) image"
        elif lowered.startswith("<"):
            kind = "HTML or XML text"
        else:
            kind = "text"
    else:
        kind = f"data starting with {data[:8].hex(' ')}"
    said = f"; the server said {declared.split(';')[0].strip()!r}" if declared else ""
    return kind + said


def _mostly_text(text: str) -> bool:
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return printable >= 0.95 * len(text)


# -- filenames -------------------------------------------------------------------------------


def _clean_name(name: str | None) -> str | None:
    """The last path component, without control characters; None if nothing is left."""
    if not name:
        return None
    base = re.split(r"[/\\]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base if base not in ("", ".", "..") else None


def fit_filename(name: str | None, mime_type: str) -> str:
    """``name`` with an extension that matches ``mime_type`` (``image.<ext>`` if no name)."""
    extensions = IMAGE_EXTENSIONS[mime_type]
    cleaned = _clean_name(name)
    if cleaned is None:
        return "image" + extensions[0]
    stem, dot, suffix = cleaned.rpartition(".")
    ext = "." + suffix.lower()
    if not dot or not stem:
        return cleaned + extensions[0]
    if ext in extensions:
        return cleaned
    if ext in _ALL_EXTENSIONS:
        return stem + extensions[0]
    return cleaned + extensions[0]


def _url_filename(url: str) -> str | None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    # The last segment only: "/u/" names a directory, not a file.
    return _clean_name(unquote(path.rsplit("/", 1)[-1]))


# -- the five input forms --------------------------------------------------------------------


async def load_image(
    source: ImageSource,
    filename: str | None = None,
    *,
    max_bytes: int,
    fetcher: ImageFetcher | None = None,
    index: int | None = None,
) -> ImageBlob:
    """Read, size-check, type-check and completeness-check one image.

    ``filename`` overrides the derived name (its extension is still fixed to match the bytes).
    ``index`` (1-based) only makes messages name the image's position in a list.
    Raises :class:`ImageError` or one of its subclasses; nothing else on bad input.
    """
    try:
        return await _load(source, filename, max_bytes, fetcher)
    except _Refusal as refused:
        refusal = refused
    # Raised outside the handler, so the fetcher's own error goes on exactly as it came.
    error = refusal.worded(index)
    if error is refusal.original:
        raise error
    raise error from refusal.original or refusal.__cause__


async def _load(
    source: ImageSource, filename: str | None, max_bytes: int, fetcher: ImageFetcher | None
) -> ImageBlob:
    declared: str | None = None
    if isinstance(source, bytes | bytearray | memoryview):
        name = _clean_name(filename)
        data = _from_bytes(source, name, max_bytes)
    elif isinstance(source, str):
        data, name, declared = await _from_str(source, filename, max_bytes, fetcher)
    elif isinstance(source, os.PathLike):
        path = Path(os.fsdecode(os.fspath(source)))
        name = _clean_name(filename) or path.name
        data = await _from_path(path, name, max_bytes)
    elif callable(getattr(source, "read", None)):
        name = _clean_name(filename) or _clean_name(_file_name(source))
        data = _from_file(source, name, max_bytes)
    else:
        raise _refused(
            f"unsupported image source of type {type(source).__name__}; expected bytes, "
            "a data: URI, an http(s) URL, a file path or a binary file object"
        )
    blob = _finish(data, name, declared)
    await _check_complete(blob, name)
    return blob


def _finish(data: bytes, name: str | None, declared: str | None) -> ImageBlob:
    if not data:
        raise _Refusal(ImageError, "is empty (0 bytes)", name=name, lead=True)
    mime = sniff_image_type(data)
    if mime is None:
        raise _Refusal(
            UnsupportedImageTypeError,
            f"is not a supported image: it looks like {_describe_unknown(data, declared)}; "
            f"supported types: {supported_types_text()}",
            name=name,
            lead=True,
        )
    return ImageBlob(data=data, mime_type=mime, filename=fit_filename(name, mime))


async def _check_complete(blob: ImageBlob, name: str | None) -> None:
    """Refuse bytes that start like an image of their type but are cut short or broken."""
    if blob.size > _WALK_INLINE_BYTES:
        problem = await asyncio.to_thread(structure_problem, blob.data, blob.mime_type)
    else:
        problem = structure_problem(blob.data, blob.mime_type)
    if problem is not None:
        text = f"is truncated or corrupt: {problem}"
        raise _Refusal(ImageError, text, name=name, lead=True)


def _from_bytes(source: bytes | bytearray | memoryview, name: str | None, max_bytes: int) -> bytes:
    size = source.nbytes if isinstance(source, memoryview) else len(source)
    if size > max_bytes:
        raise _too_large(name, size, max_bytes)
    return bytes(source)


async def _from_str(
    source: str, filename: str | None, max_bytes: int, fetcher: ImageFetcher | None
) -> tuple[bytes, str | None, str | None]:
    """Data URI, URL or path; returns (data, name before fixing, declared type)."""
    scheme = _URL_SCHEME.match(source)
    if source[:5].lower() == "data:":
        name = _clean_name(filename)
        return _from_data_uri(source, name, max_bytes), name, None
    if scheme and scheme.group(1).lower() in ("http", "https"):
        name = _clean_name(filename) or _url_filename(source)
        fetched = await _from_url(source, name, max_bytes, fetcher)
        name = name or _url_filename(fetched.url)
        return fetched.data, name, fetched.content_type
    if scheme:
        raise _refused(
            f"unsupported URL scheme {scheme.group(1)!r}; image URLs must be http(s) or data: URIs"
        )
    if not source.strip():
        raise _refused("the image source is an empty string")
    path = Path(source)
    name = _clean_name(filename) or path.name
    return await _from_path(path, name, max_bytes, given=source), name, None


def _from_data_uri(uri: str, name: str | None, max_bytes: int) -> bytes:
    head, comma, payload = uri.partition(",")
    if not comma:
        raise _refused("the data URI has no ',' before its data")
    if not head.lower().endswith(";base64"):
        raise _refused("the data URI is not base64; use data:<type>;base64,<data>")
    # Decoded size from the encoded length, so an oversized payload is never decoded.
    padding = len(payload) - len(payload.rstrip("="))
    size = len(payload) // 4 * 3 - min(padding, 2)
    if size > max_bytes:
        raise _too_large(name, size, max_bytes)
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _refused(f"the data URI's payload is not valid base64 ({exc})") from None


async def _from_url(
    url: str, name: str | None, max_bytes: int, fetcher: ImageFetcher | None
) -> FetchedImage:
    if fetcher is None:
        raise _refused("an http(s) image URL needs a fetcher to download it")
    try:
        fetched = await fetcher.fetch(url, max_bytes=max_bytes)
    except ImageError as exc:
        # Same error type; with a position, the image's subject comes first.
        raise _Refusal(type(exc), str(exc), name=name, original=exc) from None
    if len(fetched.data) > max_bytes:
        raise _too_large(name, len(fetched.data), max_bytes)
    return fetched


async def _from_path(
    path: Path, name: str | None, max_bytes: int, *, given: str | None = None
) -> bytes:
    # Disk reads can take a while for large files: keep them off the event loop.
    return await asyncio.to_thread(_read_path, path, name, max_bytes, given)


def _read_path(path: Path, name: str | None, max_bytes: int, given: str | None) -> bytes:
    path = path.expanduser()
    shown = _short(str(path))
    try:
        info = path.stat()
    except FileNotFoundError:
        hint = " (a string must be a file path, an http(s) URL or a data: URI)" if given else ""
        raise _refused(f"no such image file: {shown}{hint}") from None
    except (OSError, ValueError) as exc:
        raise _unreadable(shown, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise _refused(f"{shown} is a directory, not an image file")
    if info.st_size > max_bytes:
        raise _too_large(name, info.st_size, max_bytes)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise _unreadable(shown, exc) from None
    if len(data) > max_bytes:  # the file grew after stat(), or is not a regular file
        raise _over_limit(name, max_bytes)
    return data


def _unreadable(shown: str, exc: Exception) -> _Refusal:
    reason = getattr(exc, "strerror", None) or str(exc)
    return _refused(f"cannot read image file {shown}: {reason}")


def _file_name(source: object) -> str | None:
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def _from_file(reader: BinaryReader, name: str | None, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    # Raw files may return short reads: loop until EOF or one byte past the limit.
    while total <= max_bytes:
        try:
            chunk = reader.read(max_bytes + 1 - total)
        except (OSError, ValueError) as exc:
            raise _refused(f"cannot read the image file object: {exc}") from exc
        if isinstance(chunk, str):
            raise _refused("the file object is in text mode; open it in binary mode ('rb')")
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise _refused(f"the file object's read() returned {type(chunk).__name__}, not bytes")
        if not chunk:
            break
        chunks.append(bytes(chunk))
        total += len(chunk)
    if total > max_bytes:
        raise _over_limit(name, max_bytes)
    return b"".join(chunks)
