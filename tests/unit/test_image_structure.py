"""Truncated and corrupt images: the structure walk of each type, and the loader refusing them."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmarena_client.errors import ImageError, UnsupportedImageTypeError
from lmarena_client.image_structure import structure_problem
from lmarena_client.images import SUPPORTED_TYPES, FetchedImage, load_image, sniff_image_type

from .tiny_images import (
    BMP,
    GIF,
    JPEG,
    PNG,
    TIFF_BE,
    TIFF_LE,
    WEBP,
    WEBP_LOSSY,
    make_png,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMIT = 10 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _png_with_chunks(*extra: bytes) -> bytes:
    """PNG with ``extra`` chunks inserted before IEND (the IEND chunk is the last 12 bytes)."""
    return PNG[:-12] + b"".join(extra) + PNG[-12:]


def _jpeg_with_scan(scan: bytes) -> bytes:
    """The tiny JPEG with its one-byte scan data replaced (for walks, not for decoding)."""
    assert JPEG.endswith(b"\x3f\xff\xd9")
    return JPEG[:-3] + scan + b"\xff\xd9"


# Second GIF frame: graphic control extension, image descriptor with a local colour table.
_GIF_FRAME = (
    b"\x21\xf9\x04\x00\x0a\x00\x00\x00"
    + b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x80"
    + b"\x00\x00\x00\xff\xff\xff"
    + b"\x02\x02\x44\x01\x00"
)
GIF_TWO_FRAMES = GIF[:-1] + _GIF_FRAME + b";"
# A PNG of several IDAT chunks and an ancillary chunk, so cuts land in more kinds of places.
_PIXELS = zlib.compress(b"".join(b"\x00" + b"\x10\x20\x30" * 5 for _ in range(3)))
PNG_SPLIT = (
    make_png(5, 3)[:33]
    + _png_chunk(b"tEXt", b"Comment\x00tiny")
    + b"".join(_png_chunk(b"IDAT", part) for part in (_PIXELS[:5], _PIXELS[5:9], _PIXELS[9:]))
    + _png_chunk(b"IEND", b"")
)
# Progressive-style JPEG walk: stuffed FF00, a restart marker, fill bytes, a DHT between two
# scans, then the end.
JPEG_TWO_SCANS = _jpeg_with_scan(
    b"\x12\xff\x00\x34\xff\xd0\x56"
    + b"\xff\xff\xc4\x00\x14\x00"
    + bytes([1] + [0] * 15)
    + b"\x00"
    + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    + b"\x3f"
)

COMPLETE: dict[str, list[bytes]] = {
    "image/png": [PNG, make_png(3, 2), PNG_SPLIT],
    "image/jpeg": [JPEG, JPEG_TWO_SCANS],
    "image/gif": [GIF, GIF_TWO_FRAMES],
    "image/webp": [WEBP, WEBP_LOSSY],
    "image/bmp": [BMP],
    "image/tiff": [TIFF_LE, TIFF_BE],
}
CASES = [(mime, data) for mime, images in COMPLETE.items() for data in images]
IDS = [
    f"{mime.removeprefix('image/')}-{i}"
    for mime, images in COMPLETE.items()
    for i in range(len(images))
]


def _case_id(value: object) -> str:
    """Readable test ids: the type, the size of the data, the expected reason."""
    if isinstance(value, bytes):
        return f"{len(value)}B"
    return str(value).removeprefix("image/").replace(" ", "_")


def test_every_accepted_type_has_complete_examples() -> None:
    assert set(COMPLETE) == set(SUPPORTED_TYPES)


@pytest.mark.parametrize(("mime", "data"), CASES, ids=IDS)
def test_complete_images_pass(mime: str, data: bytes) -> None:
    assert sniff_image_type(data) == mime
    assert structure_problem(data, mime) is None


@pytest.mark.parametrize(("mime", "data"), CASES, ids=IDS)
def test_every_cut_is_refused(mime: str, data: bytes) -> None:
    """Each example ends at its end marker, so every proper prefix is incomplete."""
    for end in range(len(data)):
        cut = data[:end]
        if sniff_image_type(cut) == mime:
            assert structure_problem(cut, mime) is not None, f"accepted {end} of {len(data)}"


def _stuffed(data: bytes) -> bytes:
    """Scan data as an encoder writes it: every FF followed by a stuffed 00."""
    return data.replace(b"\xff", b"\xff\x00")


def _jpeg_app(body: bytes) -> bytes:
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def _jpeg(app: bytes, scan: bytes) -> bytes:
    """The tiny JPEG with an APP1 segment and other scan data (a walk, not a picture)."""
    image = _jpeg_with_scan(_stuffed(scan))
    return image[:2] + _jpeg_app(app) + image[2:]


def _gif_comment(text: bytes) -> bytes:
    blocks = b"".join(bytes([len(part)]) + part for part in _split(text, 255))
    return b"\x21\xfe" + blocks + b"\x00"


def _split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def _webp_with(extra: bytes) -> bytes:
    """The lossless WEBP with an EXIF chunk after its image chunk, RIFF size fixed."""
    chunk = b"EXIF" + struct.pack("<I", len(extra)) + extra + b"\x00" * (len(extra) & 1)
    body = WEBP[8:] + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _bmp(width: int, height: int) -> bytes:
    row = (width * 3 + 3) // 4 * 4
    pixels = bytes(row * height)
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 0, 0, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54) + header + pixels


_BLOB = st.binary(max_size=600)
IMAGES = st.one_of(
    st.tuples(st.just("image/png"), _BLOB).map(
        lambda c: (c[0], _png_with_chunks(_png_chunk(b"zTXt", c[1])))
    ),
    st.tuples(st.just("image/jpeg"), _BLOB, _BLOB).map(lambda c: (c[0], _jpeg(c[1], c[2]))),
    st.tuples(st.just("image/gif"), _BLOB).map(
        lambda c: (c[0], GIF[:-1] + _gif_comment(c[1]) + _GIF_FRAME + b";")
    ),
    st.tuples(st.just("image/webp"), _BLOB).map(lambda c: (c[0], _webp_with(c[1]))),
    st.tuples(st.just("image/bmp"), st.integers(1, 40), st.integers(1, 40)).map(
        lambda c: (c[0], _bmp(c[1], c[2]))
    ),
    st.sampled_from([("image/tiff", TIFF_LE), ("image/tiff", TIFF_BE)]),
)


@SETTINGS
@given(IMAGES, st.data())
def test_generated_images_pass_and_their_cuts_do_not(
    case: tuple[str, bytes], data: st.DataObject
) -> None:
    """Chunks and segments of random sizes and contents: the whole passes, any cut is refused."""
    mime, image = case
    assert structure_problem(image, mime) is None
    end = data.draw(st.integers(min_value=0, max_value=len(image) - 1), label="cut at")
    cut = image[:end]
    if sniff_image_type(cut) == mime:  # otherwise the loader refuses it as not an image
        assert structure_problem(cut, mime) is not None


@SETTINGS
@given(st.sampled_from(CASES), st.binary(max_size=64), st.integers(min_value=0))
def test_any_bytes_give_an_answer_never_an_exception(
    case: tuple[str, bytes], noise: bytes, seed: int
) -> None:
    """Corrupt input (bytes overwritten anywhere) yields None or a reason, nothing else."""
    mime, image = case
    at = seed % len(image)
    broken = image[:at] + noise + image[at + len(noise) :]
    problem = structure_problem(broken, mime)
    assert problem is None or isinstance(problem, str)


@pytest.mark.parametrize(
    ("mime", "data", "reason"),
    ids=_case_id,
    argvalues=[
        # The bare signature of the bug report.
        ("image/png", PNG_SIGNATURE, "PNG chunk header is cut off"),
        ("image/png", PNG[:-12], "PNG chunk header is cut off"),  # no IEND
        ("image/png", PNG[:8] + PNG[33:], "13-byte IHDR"),  # IHDR missing
        ("image/png", PNG[:33] + PNG[-12:], "no image data"),  # no IDAT
        ("image/png", PNG[:16] + b"\x00\x00\x00\x00" + PNG[20:], "size of 0x1"),
        ("image/png", PNG[:24] + b"\x03" + PNG[25:], "bit depth 3"),
        ("image/jpeg", JPEG[:-2], "before its end-of-image marker"),
        ("image/jpeg", JPEG[:2] + JPEG[-2:], "ends before any image data"),
        (
            "image/jpeg",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
            "ends before any image data",
        ),  # the old test fixture: no frame
        ("image/gif", GIF[:-1], "GIF is cut off"),
        ("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "no image"),  # old fixture
        ("image/gif", GIF[:-1] + b"\x99;", "unexpected byte 0x99"),
        ("image/webp", WEBP[:-1], "its RIFF header says"),
        ("image/webp", WEBP + b"\x00\x00", "its RIFF header says"),
        ("image/webp", b"RIFF\x04\x00\x00\x00WEBP", "does not start with a VP8"),
        ("image/bmp", BMP[:-1], "BMP pixel data is cut off"),
        ("image/tiff", b"II*\x00\x08\x00\x00\x00" + bytes(8), "no image width"),  # old fixture
        (  # StripByteCounts: 255 bytes of pixels, in a file of 124 bytes
            "image/tiff",
            TIFF_LE.replace(
                b"\x17\x01\x04\x00\x01\x00\x00\x00\x01", b"\x17\x01\x04\x00\x01\x00\x00\x00\xff"
            ),
            "TIFF image data is cut off",
        ),
    ],
)
def test_reasons(mime: str, data: bytes, reason: str) -> None:
    problem = structure_problem(data, mime)
    assert problem is not None and reason in problem, problem


# -- hostile lengths: refused from the arithmetic, nothing read or allocated -------------------


def _tiff_with_strips(count: int, kind: int = 4) -> bytes:
    """A TIFF whose StripOffsets claims ``count`` values at offset 8."""
    entries = [(256, 3, 1, 1), (257, 3, 1, 1), (273, kind, count, 8), (279, 4, 1, 1)]
    ifd = struct.pack("<H", len(entries))
    for tag, k, n, value in entries:
        ifd += struct.pack("<HHII", tag, k, n, value)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + bytes(4)


HOSTILE = [
    # A chunk, segment or file claiming up to 4 GB in a file of a few bytes.
    ("image/png", PNG[:33] + b"\x7f\xff\xff\xffIDAT" + bytes(64), "needs 2,147,483,692 bytes"),
    ("image/png", PNG[:33] + b"\xff\xff\xff\xffIDAT" + bytes(64), "not valid"),  # > 2^31 - 1
    ("image/png", PNG[:8] + b"\x00\x00\x00\x0dIHDR\xff\xff\xff\xff" + PNG[20:], "size of"),
    ("image/jpeg", b"\xff\xd8\xff\xe1\xff\xff" + bytes(64), "needs 65,539 bytes"),
    ("image/jpeg", b"\xff\xd8" + b"\xff" * 100_000, "JPEG is cut off"),  # fill bytes only
    ("image/gif", GIF[:19] + b"\x21\xff\xff" + bytes(8), "sub-block is cut off"),
    ("image/webp", b"RIFF\xff\xff\xff\xffWEBPVP8L" + bytes(16), "RIFF header says 4,294,967,303"),
    ("image/webp", WEBP[:16] + b"\xff\xff\xff\x7f" + WEBP[20:], "runs past the RIFF end"),
    (
        "image/bmp",
        BMP[:18] + struct.pack("<ii", 0x7FFFFFFF, -0x7FFFFFFF) + BMP[26:],
        "BMP pixel data is cut off",
    ),
    ("image/tiff", _tiff_with_strips(0xFFFFFFFF), "values of TIFF tag 273 is cut off"),
    ("image/tiff", b"MM\x00*\x00\x00\x00\x08\xff\xff" + bytes(40), "TIFF directory is cut off"),
    ("image/tiff", b"II*\x00\xff\xff\xff\xff" + bytes(40), "TIFF directory is cut off"),
]


@pytest.mark.parametrize(("mime", "data", "reason"), HOSTILE, ids=_case_id)
def test_hostile_lengths_are_refused(mime: str, data: bytes, reason: str) -> None:
    assert sniff_image_type(data) == mime
    problem = structure_problem(data, mime)
    assert problem is not None and reason in problem, problem


def test_long_runs_of_ff_in_scan_data_are_walked_linearly() -> None:
    """A megabyte of FF before the end: a backtracking search would take minutes here."""
    image = _jpeg_with_scan(b"\xff" * 1_000_000 + b"\x00")
    assert structure_problem(image, "image/jpeg") is None
    assert structure_problem(image[:-2], "image/jpeg") is not None


def test_stray_bytes_before_a_jpeg_marker_are_skipped_as_libjpeg_does() -> None:
    assert structure_problem(JPEG[:2] + b"\x00\x12\xff\x00" + JPEG[2:], "image/jpeg") is None


def test_data_after_the_end_marker_is_not_looked_at() -> None:
    """Phones append data after JPEG's EOI (Motion Photos, Samsung trailers); decoders skip it."""
    for mime, data in (("image/png", PNG), ("image/jpeg", JPEG), ("image/gif", GIF)):
        assert structure_problem(data + b"trailer \x00\xff", mime) is None


# -- the loader --------------------------------------------------------------------------------


class _Fetcher:
    def __init__(self, data: bytes) -> None:
        self.data = data

    async def fetch(self, url: str, *, max_bytes: int | None = None) -> FetchedImage:
        return FetchedImage(data=self.data, url=url, content_type="image/png")


async def test_loader_refuses_a_bare_png_signature_in_every_form() -> None:
    uri = "data:image/png;base64," + base64.b64encode(PNG_SIGNATURE).decode()
    for source in (PNG_SIGNATURE, bytearray(PNG_SIGNATURE), uri):
        with pytest.raises(ImageError, match="truncated or corrupt") as info:
            await load_image(source, "dot.png", max_bytes=LIMIT, index=2)
        assert str(info.value).startswith("image 2 ('dot.png') is truncated or corrupt: ")
        assert not isinstance(info.value, UnsupportedImageTypeError)
    with pytest.raises(ImageError, match=r"^image 'x\.png' is truncated or corrupt"):
        await load_image(
            "https://img.example/x.png", None, max_bytes=LIMIT, fetcher=_Fetcher(PNG[:40])
        )


@pytest.mark.parametrize(("mime", "data"), CASES, ids=IDS)
async def test_loader_accepts_complete_and_refuses_cut_images(mime: str, data: bytes) -> None:
    blob = await load_image(data, None, max_bytes=LIMIT)
    assert (blob.mime_type, blob.data) == (mime, data)
    with pytest.raises(ImageError, match="truncated or corrupt"):
        await load_image(data[:-1], None, max_bytes=LIMIT)


async def test_large_images_are_checked_too() -> None:
    """Above the inline size the walk runs in a thread; the answer is the same."""
    big = _png_with_chunks(_png_chunk(b"zTXt", bytes(600_000)))
    assert (await load_image(big, None, max_bytes=LIMIT)).data == big
    with pytest.raises(ImageError, match="PNG zTXt chunk is cut off"):
        await load_image(big[:500_000], None, max_bytes=LIMIT)
