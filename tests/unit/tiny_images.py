"""Small, complete images of every type the loader accepts, built here without an image library.

Each was checked once to decode in Chromium (PNG, JPEG, GIF, WEBP, BMP); TIFF follows TIFF 6.0
baseline (one uncompressed strip), which Chromium does not read.
"""

from __future__ import annotations

import base64
import struct
import zlib


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def make_png(width: int = 1, height: int = 1) -> bytes:
    """A valid RGB PNG of one colour."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def make_jpeg() -> bytes:
    """A baseline greyscale 1x1 JPEG (one 8x8 block of mid grey).

    Both Huffman tables hold a single 1-bit code: DC difference category 0 and AC end-of-block.
    The one block is therefore the bits ``00``, padded with ones to the byte ``3F``.
    """
    one_code = bytes([1] + [0] * 15)  # one code of length 1
    return (
        b"\xff\xd8"
        + _jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + _jpeg_segment(0xDB, b"\x00" + bytes([1] * 64))  # quantisation table 0, all ones
        + _jpeg_segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")  # SOF0: 1x1, 1 component
        + _jpeg_segment(0xC4, b"\x00" + one_code + b"\x00")  # DC table 0: category 0
        + _jpeg_segment(0xC4, b"\x10" + one_code + b"\x00")  # AC table 0: end of block
        + _jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")  # SOS: component 1, tables 0/0
        + b"\x3f"
        + b"\xff\xd9"
    )


def make_bmp() -> bytes:
    """A 1x1 24-bit BMP (one row of 3 bytes, padded to 4)."""
    return (
        b"BM"
        + struct.pack("<IHHI", 58, 0, 0, 54)
        + struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, 4, 2835, 2835, 0, 0)
        + b"\x00\x00\xff\x00"
    )


def make_tiff(order: str = "<") -> bytes:
    """A 1x1 8-bit greyscale baseline TIFF, little (``<``) or big (``>``) endian."""
    magic = b"II*\x00" if order == "<" else b"MM\x00*"
    entries = [  # tag, type (3 SHORT, 4 LONG), count, value
        (256, 3, 1, 1),  # ImageWidth
        (257, 3, 1, 1),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 1),  # PhotometricInterpretation: black is zero
        (273, 4, 1, 8),  # StripOffsets: the pixel right after the header
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 3, 1, 1),  # RowsPerStrip
        (279, 4, 1, 1),  # StripByteCounts
    ]
    ifd = struct.pack(order + "H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack(order + ("H" if kind == 3 else "I"), value).ljust(4, b"\x00")
        ifd += struct.pack(order + "HHI", tag, kind, count) + packed
    ifd += struct.pack(order + "I", 0)  # no next directory
    header = magic + struct.pack(order + "I", 10)  # the directory after header and pixel
    return header + b"\x80\x00" + ifd  # one grey pixel, one pad byte (directories are even)


PNG = make_png()
JPEG = make_jpeg()
# The well-known 1x1 transparent GIF: screen descriptor, 2-colour table, graphic control
# extension, one image, trailer.
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")
# 1x1 WEBPs as used by feature detection in browsers (lossless VP8L and lossy VP8).
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
WEBP_LOSSY = base64.b64decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
BMP = make_bmp()
TIFF_LE = make_tiff("<")
TIFF_BE = make_tiff(">")
