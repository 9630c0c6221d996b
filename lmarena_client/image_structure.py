"""Is an image complete? Pure structural checks of every type ``images.py`` accepts.

A sniffed type only says how a file starts; a file cut short (an interrupted download, a
truncated copy, a bare 8-byte PNG signature) starts the same way. :func:`structure_problem`
walks the framing of the format: chunk, segment, block and directory lengths, start and end
markers, the header fields a decoder needs first. It never decodes pixels, so no image library
is needed, and it never reads or allocates what a length field claims: a length that runs past
the end of the data is refused at once, however large.

What follows a format's end marker (PNG ``IEND``, JPEG EOI, GIF trailer) is not looked at:
decoders ignore it, phones append data there (Samsung trailers, Motion Photo videos, cropped
screenshots that kept their old tail), and a cut can never produce a complete walk up to the
end marker. WEBP says its whole length in the RIFF header, so there the length must match.
"""

from __future__ import annotations

import operator
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["structure_problem"]


class _Broken(ValueError):
    """Raised inside a walk; its message is the reason :func:`structure_problem` returns."""


def structure_problem(data: bytes, mime_type: str) -> str | None:
    """Why ``data`` is not a complete image of ``mime_type`` (as sniffed), or None if it is.

    ``mime_type`` must be one of the types ``images.py`` sniffs; any other type is a
    programming error (``KeyError``), not a reason to let the bytes through unchecked.
    """
    check = _CHECKS[mime_type]
    try:
        check(data)
    except _Broken as exc:
        return str(exc)
    return None


def _need(data: bytes, end: int, what: str) -> None:
    """``data`` must reach ``end``; otherwise ``what`` was cut off."""
    if end > len(data):
        raise _Broken(f"{what} is cut off (it needs {end:,} bytes, there are {len(data):,})")


def _u16(data: bytes, pos: int, order: str = ">") -> int:
    return int.from_bytes(data[pos : pos + 2], "big" if order == ">" else "little")


def _u32(data: bytes, pos: int, order: str = ">") -> int:
    return int.from_bytes(data[pos : pos + 4], "big" if order == ">" else "little")


# -- PNG ---------------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_MAX = 2**31 - 1  # the largest chunk length, width or height the PNG spec allows
# Colour type -> allowed bit depths (PNG spec, table 11.1).
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_PNG_CHUNK_HEADER = struct.Struct(">I4s")


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """(type, data start, length) of each chunk in order; raises when one is cut off."""
    pos = len(_PNG_SIGNATURE)
    while True:
        _need(data, pos + 8, "a PNG chunk header")
        length, kind = _PNG_CHUNK_HEADER.unpack_from(data, pos)
        if length > _PNG_MAX or not kind.isalpha():
            raise _Broken(f"the PNG chunk header at byte {pos:,} is not valid")
        _need(data, pos + 12 + length, f"the PNG {kind.decode()} chunk")  # + length, type, CRC
        yield kind, pos + 8, length
        pos += 12 + length


def _check_png(data: bytes) -> None:
    chunks = _png_chunks(data)
    _check_ihdr(data, *next(chunks))
    has_pixels = False
    for kind, _start, _length in chunks:
        if kind == b"IDAT":
            has_pixels = True
        elif kind == b"IEND":
            if not has_pixels:
                raise _Broken("the PNG has no image data (IDAT) before its end (IEND)")
            return


def _check_ihdr(data: bytes, kind: bytes, start: int, length: int) -> None:
    if kind != b"IHDR" or length != 13:
        raise _Broken("the PNG does not start with a 13-byte IHDR chunk")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack_from(
        ">IIBBBBB", data, start
    )
    if not (0 < width <= _PNG_MAX and 0 < height <= _PNG_MAX):
        raise _Broken(f"the PNG header gives a size of {width}x{height}")
    if depth not in _PNG_DEPTHS.get(colour, ()):
        raise _Broken(f"the PNG header gives colour type {colour} with bit depth {depth}")
    if compression != 0 or filtering != 0 or interlace not in (0, 1):
        raise _Broken("the PNG header names an unknown compression, filter or interlace method")


# -- JPEG --------------------------------------------------------------------------------------

_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
# Frame headers (SOF0-SOF15 but DHT C4, JPG C8 and DAC CC, which share the range).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM and the restart markers RST0-RST7.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_NO_SEGMENT = frozenset({_SOI, _EOI, *_STANDALONE})  # markers that start no segment
# A marker is FF and a byte other than 00 (a stuffed FF) or FF (fill); inside scan data the
# restart markers RST0-RST7 belong to the scan. Matching the last FF of a run only keeps the
# search linear on long FF runs; a regex keeps megabytes of scan data out of Python loops.
_MARKER = re.compile(rb"\xff[^\x00\xff]")
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _check_jpeg(data: bytes) -> None:
    if not data.startswith(b"\xff\xd8"):
        raise _Broken("the JPEG does not start with its start-of-image marker")
    pos, has_frame = 2, False
    while True:
        marker, pos = _jpeg_marker(data, pos)
        if marker in _STANDALONE:
            continue
        if marker == _EOI:
            raise _Broken("the JPEG ends before any image data")
        end = _segment_end(data, marker, pos)
        if marker in _SOF_MARKERS:
            _check_frame_header(data, pos, end - pos)
            has_frame = True
        elif marker == _SOS:
            if not has_frame:
                raise _Broken("the JPEG scan comes before any frame header (SOF)")
            _scans_until_eoi(data, end)
            return
        pos = end


def _jpeg_marker(data: bytes, pos: int) -> tuple[int, int]:
    """The next marker from ``pos`` on and the position after it.

    Like libjpeg, which browsers use, stray bytes and fill bytes (FF) before a marker are
    skipped: decoders warn about them and show the image anyway.
    """
    found = _MARKER.search(data, pos)
    if found is None:
        raise _Broken("the JPEG is cut off before its end-of-image marker")
    return data[found.end() - 1], found.end()


def _segment_end(data: bytes, marker: int, pos: int) -> int:
    """The end of the segment whose length field is at ``pos``."""
    if marker in _NO_SEGMENT:
        raise _Broken(f"unexpected JPEG marker FF{marker:02X} at byte {pos - 2:,}")
    length = _u16(data, pos)
    if length < 2 or pos + length > len(data):
        _need(data, pos + max(length, 2), f"the JPEG segment FF{marker:02X}")
        raise _Broken(f"the JPEG segment at byte {pos - 2:,} has length {length}")
    return pos + length


def _check_frame_header(data: bytes, pos: int, length: int) -> None:
    """SOFn: precision, height, width, component count; the segment must hold every component."""
    if length < 8:
        raise _Broken("the JPEG frame header is too short")
    width, components = _u16(data, pos + 5), data[pos + 7]
    # Height 0 is legal (a DNL segment gives it later); width 0 is not.
    if width == 0 or components == 0 or length != 8 + 3 * components:
        raise _Broken("the JPEG frame header is not valid")


def _scans_until_eoi(data: bytes, pos: int) -> None:
    """Scan data and the segments between progressive scans, up to the end-of-image marker."""
    while True:
        found = _SCAN_END.search(data, pos)
        if found is None:
            raise _Broken("the JPEG is cut off before its end-of-image marker")
        marker, pos = data[found.end() - 1], found.end()
        if marker == _EOI:
            return
        pos = _segment_end(data, marker, pos)


# -- GIF ---------------------------------------------------------------------------------------

_GIF_IMAGE, _GIF_EXTENSION, _GIF_TRAILER = 0x2C, 0x21, 0x3B


def _colour_table_size(flags: int) -> int:
    """Bytes of the colour table a GIF flags byte announces (0 when it has none)."""
    return 3 * 2 ** ((flags & 0x07) + 1) if flags & 0x80 else 0


def _check_gif(data: bytes) -> None:
    _need(data, 13, "the GIF logical screen descriptor")
    pos = 13 + _colour_table_size(data[10])
    _need(data, pos, "the GIF global colour table")
    images = 0
    while True:
        _need(data, pos + 1, "the GIF")
        block = data[pos]
        if block == _GIF_TRAILER:
            if images == 0:
                raise _Broken("the GIF has no image before its trailer")
            return
        if block == _GIF_EXTENSION:
            _need(data, pos + 2, "a GIF extension")
            pos = _skip_sub_blocks(data, pos + 2)
        elif block == _GIF_IMAGE:
            pos = _skip_gif_image(data, pos)
            images += 1
        else:
            raise _Broken(f"unexpected byte 0x{block:02X} where a GIF block starts ({pos:,})")


def _skip_gif_image(data: bytes, pos: int) -> int:
    """Image descriptor, local colour table, LZW code size and the data sub-blocks."""
    _need(data, pos + 10, "a GIF image descriptor")
    width, height = struct.unpack_from("<HH", data, pos + 5)
    if width == 0 or height == 0:
        raise _Broken(f"a GIF image has a size of {width}x{height}")
    pos += 10 + _colour_table_size(data[pos + 9])
    _need(data, pos + 1, "a GIF image's data")
    return _skip_sub_blocks(data, pos + 1)


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    """The position after a chain of sub-blocks and its zero-length terminator."""
    while True:
        _need(data, pos + 1, "a GIF data sub-block")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


# -- WEBP --------------------------------------------------------------------------------------

_WEBP_IMAGES = frozenset({b"VP8 ", b"VP8L", b"ANMF"})


def _check_webp(data: bytes) -> None:
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    if len(data) - riff_end not in (0, 1):  # one pad byte after an odd-sized RIFF is tolerated
        raise _Broken(f"the WEBP is {len(data):,} bytes; its RIFF header says {riff_end:,}")
    kinds = [_check_webp_chunk(data, *chunk) for chunk in _riff(data, riff_end)]
    if not kinds or kinds[0] not in (b"VP8 ", b"VP8L", b"VP8X"):
        raise _Broken("the WEBP does not start with a VP8, VP8L or VP8X chunk")
    if not _WEBP_IMAGES.intersection(kinds):
        raise _Broken("the WEBP has no image data chunk")


def _riff(data: bytes, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(fourcc, data start, size) of each chunk after the ``WEBP`` form type, up to ``end``."""
    pos = 12
    while pos < end:
        if pos + 8 > end:
            raise _Broken(f"the WEBP chunk header at byte {pos:,} is cut off by the RIFF end")
        kind, size = data[pos : pos + 4], _u32(data, pos + 4, "<")
        if pos + 8 + size > end:
            raise _Broken(f"the WEBP {kind.decode('latin-1')!r} chunk runs past the RIFF end")
        yield kind, pos + 8, size
        pos += 8 + size + (size & 1)  # chunks are padded to an even length


def _check_webp_chunk(data: bytes, kind: bytes, start: int, size: int) -> bytes:
    """The bitstream signatures a decoder checks first; returns ``kind``."""
    if kind == b"VP8L" and (size < 5 or data[start] != 0x2F):
        raise _Broken("the WEBP VP8L chunk has no lossless signature")
    # A VP8 key frame: 3-byte frame tag, start code 9D 01 2A, 14-bit width and height.
    if kind == b"VP8 " and (size < 10 or data[start + 3 : start + 6] != b"\x9d\x01\x2a"):
        raise _Broken("the WEBP VP8 chunk does not hold a key frame")
    if kind == b"VP8X" and size < 10:
        raise _Broken("the WEBP VP8X chunk is too short")
    return kind


# -- BMP ---------------------------------------------------------------------------------------

_BMP_UNCOMPRESSED = frozenset({0, 3, 6})  # BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS
_BMP_DEPTHS = frozenset({1, 2, 4, 8, 16, 24, 32})


def _check_bmp(data: bytes) -> None:
    dib_size = _u32(data, 14, "<")
    if dib_size != 12 and dib_size < 40:  # neither the OS/2 core header nor a Windows one
        raise _Broken(f"the BMP header has an unknown size of {dib_size} bytes")
    _need(data, 14 + dib_size, "the BMP header")
    width, height, bpp, compression, image_size = _bmp_header(data, dib_size)
    if width <= 0 or height == 0:
        raise _Broken(f"the BMP header gives a size of {width}x{height}")
    offset = _u32(data, 10, "<")
    if offset < 14 + dib_size:
        raise _Broken("the BMP pixel data starts inside its header")
    if compression in _BMP_UNCOMPRESSED:
        if bpp not in _BMP_DEPTHS:
            raise _Broken(f"the BMP header gives {bpp} bits per pixel")
        row = (width * bpp + 31) // 32 * 4  # rows are padded to 4 bytes
        _need(data, offset + row * abs(height), "the BMP pixel data")
    else:
        # RLE, embedded JPEG or PNG: only the stored size says where the data ends.
        _need(data, offset + max(image_size, 1), "the BMP pixel data")


def _bmp_header(data: bytes, dib_size: int) -> tuple[int, int, int, int, int]:
    """Width, height, bits per pixel, compression and stored image size."""
    if dib_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes, never compressed
        width, height, _planes, bpp = struct.unpack_from("<HHHH", data, 18)
        return width, height, bpp, 0, 0
    width, height, _planes, bpp, compression, image_size = struct.unpack_from("<iiHHII", data, 18)
    return width, height, bpp, compression, image_size


# -- TIFF --------------------------------------------------------------------------------------

# Field type (1-13) -> bytes per value: BYTE ASCII SHORT LONG RATIONAL SBYTE UNDEFINED SSHORT
# SLONG SRATIONAL FLOAT DOUBLE IFD (TIFF 6.0 section 2). Readers skip unknown types; so do we.
_TIFF_TYPE_SIZES = dict(enumerate((1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4), start=1))
_WIDTH, _LENGTH = 256, 257
_STRIPS = (273, 279)  # StripOffsets, StripByteCounts
_TILES = (324, 325)  # TileOffsets, TileByteCounts


@dataclass(frozen=True)
class _Field:
    kind: int
    count: int
    at: int  # where the values are: inside the entry or at the offset it gives


def _check_tiff(data: bytes) -> None:
    """The first directory (the image a viewer shows) and every byte it points at."""
    order = "<" if data[:2] == b"II" else ">"
    _need(data, 8, "the TIFF header")
    fields, next_ifd = _tiff_ifd(data, order, _u32(data, 4, order))
    if next_ifd > len(data):
        raise _Broken("the TIFF's next directory lies past the end of the data")
    for tag in (_WIDTH, _LENGTH):
        values = _tiff_values(data, order, fields[tag]) if tag in fields else []
        if not values or values[0] == 0:
            raise _Broken("the TIFF directory gives no image width or length")
    offsets_tag, counts_tag = _STRIPS if _STRIPS[0] in fields else _TILES
    if offsets_tag not in fields or counts_tag not in fields:
        raise _Broken("the TIFF directory points at no image data (strips or tiles)")
    offsets = _tiff_values(data, order, fields[offsets_tag])
    counts = _tiff_values(data, order, fields[counts_tag])
    if not offsets or len(offsets) != len(counts):
        raise _Broken("the TIFF's image data offsets and byte counts do not match")
    _need(data, max(map(operator.add, offsets, counts)), "the TIFF image data")


def _tiff_ifd(data: bytes, order: str, pos: int) -> tuple[dict[int, _Field], int]:
    """The fields of the directory at ``pos`` and the offset of the next one."""
    _need(data, pos + 2, "the TIFF directory")
    count = _u16(data, pos, order)
    _need(data, pos + 2 + 12 * count + 4, "the TIFF directory")
    fields: dict[int, _Field] = {}
    for entry in range(pos + 2, pos + 2 + 12 * count, 12):
        tag, kind, values = struct.unpack_from(order + "HHI", data, entry)
        size = _TIFF_TYPE_SIZES.get(kind)
        if size is None:
            continue
        at = entry + 8 if size * values <= 4 else _u32(data, entry + 8, order)
        _need(data, at + size * values, f"the values of TIFF tag {tag}")
        fields[tag] = _Field(kind, values, at)
    return fields, _u32(data, pos + 2 + 12 * count, order)


def _tiff_values(data: bytes, order: str, field: _Field) -> list[int]:
    """The values of a SHORT or LONG field (already known to lie inside ``data``)."""
    code = {3: "H", 4: "I"}.get(field.kind)
    if code is None:
        raise _Broken(f"a TIFF size or offset field has type {field.kind}")
    return list(struct.unpack_from(f"{order}{field.count}{code}", data, field.at))


_CHECKS: dict[str, Callable[[bytes], None]] = {
    "image/png": _check_png,
    "image/jpeg": _check_jpeg,
    "image/gif": _check_gif,
    "image/webp": _check_webp,
    "image/bmp": _check_bmp,
    "image/tiff": _check_tiff,
}
