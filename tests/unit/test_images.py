"""load_image over its five input forms, type sniffing, size limits and filenames."""

from __future__ import annotations

import base64
import hashlib
import io
import struct
from pathlib import Path

import pytest

from lmarena_client.errors import (
    ImageError,
    ImageFetchError,
    ImageTooLargeError,
    UnsupportedImageTypeError,
)
from lmarena_client.images import (
    FetchedImage,
    ImageBlob,
    ImageSource,
    fit_filename,
    format_size,
    load_image,
    sniff_image_type,
)

# Complete tiny images: the loader refuses truncated ones (tests/unit/test_image_structure.py).
from .tiny_images import BMP, GIF, JPEG, PNG, TIFF_BE, TIFF_LE, WEBP

LIMIT = 10 * 1024 * 1024


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + bytes(16)


# AVIF and HEIC: known image formats, but not among the types the site is known to take.
AVIF = ftyp(b"avif", b"mif1", b"miaf")
HEIC = ftyp(b"heic", b"mif1", b"heic")


class FakeFetcher:
    """Stands in for SafeFetcher: serves fixed bytes and records calls."""

    def __init__(
        self, data: bytes, *, content_type: str | None = None, error: Exception | None = None
    ):
        self.data = data
        self.content_type = content_type
        self.error = error
        self.calls: list[tuple[str, int | None]] = []

    async def fetch(self, url: str, *, max_bytes: int | None = None) -> FetchedImage:
        self.calls.append((url, max_bytes))
        if self.error is not None:
            raise self.error
        return FetchedImage(data=self.data, url=url, content_type=self.content_type)


def data_uri(data: bytes, declared: str = "image/png") -> str:
    return f"data:{declared};base64,{base64.b64encode(data).decode()}"


# -- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (b"GIF87a" + bytes(8), "image/gif"),
        (WEBP, "image/webp"),
        (BMP, "image/bmp"),
        (TIFF_LE, "image/tiff"),
        (TIFF_BE, "image/tiff"),
    ],
)
def test_sniff_recognises_each_format(data: bytes, expected: str) -> None:
    assert sniff_image_type(data) == expected
    assert sniff_image_type(bytearray(data)) == expected
    assert sniff_image_type(memoryview(data)) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, world\n",
        b"<html><body>not found</body></html>",
        b"\x89PNG\r\n",  # truncated signature
        b"\xff\xd8",  # truncated JPEG
        b"GIF8",
        b"GIF90a" + bytes(8),
        b"RIFF\x00\x00\x00\x00WEB",  # truncated WEBP
        b"RIFF\x00\x00\x00\x00WAVEfmt ",  # RIFF but audio
        b"BM is how this text starts, and it is not a bitmap",
        b"BM" + bytes(10),  # too short for a DIB header
        b"II*",
        ftyp(b"isom", b"mp41"),  # an MP4 video
        AVIF,
        HEIC,
        b"%PDF-1.7\n",
    ],
)
def test_sniff_rejects_non_images(data: bytes) -> None:
    assert sniff_image_type(data) is None


# -- the five forms ---------------------------------------------------------------------------


async def test_bytes_like_sources() -> None:
    for source in (PNG, bytearray(PNG), memoryview(PNG)):
        blob = await load_image(source, None, max_bytes=LIMIT)
        assert blob == ImageBlob(data=PNG, mime_type="image/png", filename="image.png")
        assert isinstance(blob.data, bytes)


async def test_blob_hash_and_repr() -> None:
    blob = await load_image(JPEG, "a.jpg", max_bytes=LIMIT)
    assert blob.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert blob.size == len(JPEG)
    assert "data=" not in repr(blob)


async def test_data_uri_type_comes_from_bytes_not_the_declaration() -> None:
    blob = await load_image(data_uri(GIF, declared="image/png"), None, max_bytes=LIMIT)
    assert (blob.data, blob.mime_type, blob.filename) == (GIF, "image/gif", "image.gif")


async def test_data_uri_with_parameters_and_upper_case() -> None:
    uri = "DATA:image/webp;name=x;BASE64," + base64.b64encode(WEBP).decode()
    blob = await load_image(uri, "sticker", max_bytes=LIMIT)
    assert (blob.mime_type, blob.filename) == ("image/webp", "sticker.webp")


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("data:image/png;base64,iVBORw0KGgo!!!!", "not valid base64"),
        ("data:image/png;base64,iVBORw0KGg", "not valid base64"),  # bad padding
        ("data:image/png;base64,iVBO Rw0K", "not valid base64"),  # whitespace is not allowed
        ("data:image/png,%89PNG", "not base64"),
        ("data:image/png;base64", "no ','"),
    ],
)
async def test_bad_data_uris(uri: str, fragment: str) -> None:
    with pytest.raises(ImageError, match=fragment) as info:
        await load_image(uri, None, max_bytes=LIMIT)
    assert not isinstance(info.value, ImageTooLargeError)


async def test_path_sources(tmp_path: Path) -> None:
    target = tmp_path / "holiday.png"
    target.write_bytes(PNG)
    by_str = await load_image(str(target), None, max_bytes=LIMIT)
    by_path = await load_image(target, None, max_bytes=LIMIT)
    assert by_str == by_path
    assert (by_str.data, by_str.filename) == (PNG, "holiday.png")


async def test_path_with_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "me.gif").write_bytes(GIF)
    blob = await load_image("~/me.gif", None, max_bytes=LIMIT)
    assert blob.mime_type == "image/gif"


async def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.png"
    with pytest.raises(ImageError, match=r"no such image file: .*nope\.png") as info:
        await load_image(str(missing), None, max_bytes=LIMIT, index=3)
    assert str(info.value).startswith("image 3: ")
    assert "data: URI" in str(info.value)  # the hint for strings


async def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="is a directory"):
        await load_image(tmp_path, None, max_bytes=LIMIT)


async def test_text_file_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.png"
    notes.write_text("remember the milk\n")
    with pytest.raises(UnsupportedImageTypeError) as info:
        await load_image(notes, None, max_bytes=LIMIT)
    message = str(info.value)
    assert "'notes.png'" in message
    assert "looks like text" in message
    assert "PNG, JPEG, GIF, WEBP" in message


async def test_file_like_sources(tmp_path: Path) -> None:
    blob = await load_image(io.BytesIO(JPEG), None, max_bytes=LIMIT)
    assert (blob.data, blob.filename) == (JPEG, "image.jpg")
    target = tmp_path / "scan.tif"
    target.write_bytes(TIFF_LE)
    with target.open("rb") as handle:
        blob = await load_image(handle, None, max_bytes=LIMIT)
    assert (blob.mime_type, blob.filename) == ("image/tiff", "scan.tif")


class ShortReads(io.RawIOBase):
    """A raw stream returning at most 3 bytes per read."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        size = 3 if size < 0 else min(size, 3)
        chunk, self._data = self._data[:size], self._data[size:]
        return chunk


async def test_file_like_with_short_reads() -> None:
    blob = await load_image(ShortReads(PNG), None, max_bytes=LIMIT)
    assert blob.data == PNG


async def test_text_mode_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "a.png"
    target.write_bytes(PNG)
    with target.open("r", encoding="latin-1") as handle:  # noqa: SIM117
        with pytest.raises(ImageError, match="text mode"):
            await load_image(handle, None, max_bytes=LIMIT)  # type: ignore[arg-type]


async def test_url_source_goes_through_the_fetcher() -> None:
    fetcher = FakeFetcher(PNG, content_type="image/jpeg")
    blob = await load_image(
        "https://img.example/a/cat%20photo.jpg?sig=1", None, max_bytes=LIMIT, fetcher=fetcher
    )
    assert fetcher.calls == [("https://img.example/a/cat%20photo.jpg?sig=1", LIMIT)]
    assert (blob.mime_type, blob.filename) == ("image/png", "cat photo.png")


async def test_url_without_a_name_and_html_answer() -> None:
    page = FakeFetcher(b"<!doctype html><title>Login</title>", content_type="text/html")
    with pytest.raises(
        UnsupportedImageTypeError, match="HTML or XML text; the server said 'text/html'"
    ):
        await load_image("http://img.example/", None, max_bytes=LIMIT, fetcher=page)
    blob = await load_image("http://img.example/", None, max_bytes=LIMIT, fetcher=FakeFetcher(GIF))
    assert blob.filename == "image.gif"


async def test_url_fetch_errors_keep_their_type_and_gain_the_position() -> None:
    failing = FakeFetcher(b"", error=ImageFetchError("http://img.example/x.png answered HTTP 404"))
    with pytest.raises(ImageFetchError) as info:
        await load_image(
            "http://img.example/x.png", None, max_bytes=LIMIT, fetcher=failing, index=2
        )
    assert str(info.value) == "image 2 ('x.png'): http://img.example/x.png answered HTTP 404"


async def test_a_fetch_error_without_a_position_is_the_fetchers_own() -> None:
    error = ImageFetchError("http://img.example/x.png answered HTTP 404")
    with pytest.raises(ImageFetchError) as info:
        await load_image(
            "http://img.example/x.png", None, max_bytes=LIMIT, fetcher=FakeFetcher(b"", error=error)
        )
    assert info.value is error


class _Broken:
    def read(self, size: int, /) -> bytes:
        raise OSError("the disk is gone")


# (source, filename, the message without a position, the same with position 4)
POSITIONED: list[tuple[object, str | None, str, str]] = [
    (b"", "a.png", "image 'a.png' is empty (0 bytes)", "image 4 ('a.png') is empty (0 bytes)"),
    (b"", None, "the image is empty (0 bytes)", "image 4 is empty (0 bytes)"),
    (PNG[:20], "a.png", "image 'a.png' is truncated", "image 4 ('a.png') is truncated"),
    (b"hello there", None, "the image is not a supported image", "image 4 is not a supported"),
    (PNG * 2, None, "the image is ", "image 4 is "),  # over the limit below
    ("  ", None, "the image source is an empty string", "image 4: the image source is"),
    ("ftp://x/a.png", None, "unsupported URL scheme 'ftp'", "image 4: unsupported URL scheme"),
    ("data:image/png,xx", None, "the data URI is not base64", "image 4: the data URI is not"),
    ("https://x/a.png", None, "an http(s) image URL needs", "image 4: an http(s) image URL"),
    (_Broken(), None, "cannot read the image file object", "image 4: cannot read the image"),
    (42, None, "unsupported image source of type int", "image 4: unsupported image source"),
]


@pytest.mark.parametrize(("source", "filename", "bare", "placed"), POSITIONED)
async def test_the_position_is_added_once_in_the_same_words(
    source: object, filename: str | None, bare: str, placed: str
) -> None:
    """Readers word their errors without a position; ``index`` puts it where it reads well."""
    limit = len(PNG) * 2 - 1
    errors: list[ImageError] = []
    for index in (None, 4):
        with pytest.raises(ImageError) as info:
            await load_image(source, filename, max_bytes=limit, index=index)  # type: ignore[arg-type]
        errors.append(info.value)
    assert str(errors[0]).startswith(bare) and "image 4" not in str(errors[0])
    assert str(errors[1]).startswith(placed) and str(errors[1]).count("image 4") == 1
    assert type(errors[0]) is type(errors[1])
    assert type(errors[0].__cause__) is type(errors[1].__cause__)  # the reason is kept


async def test_url_without_fetcher_and_other_schemes() -> None:
    with pytest.raises(ImageError, match="needs a fetcher"):
        await load_image("https://img.example/a.png", None, max_bytes=LIMIT)
    with pytest.raises(ImageError, match="unsupported URL scheme 'ftp'"):
        await load_image("ftp://img.example/a.png", None, max_bytes=LIMIT)
    with pytest.raises(ImageError, match="unsupported URL scheme 'file'"):
        await load_image("file:///etc/passwd", None, max_bytes=LIMIT)


@pytest.mark.parametrize("source", [42, None, 3.5, ["a.png"], {"url": "x"}, object()])
async def test_wrong_source_type(source: object) -> None:
    with pytest.raises(ImageError, match="unsupported image source of type"):
        await load_image(source, None, max_bytes=LIMIT)  # type: ignore[arg-type]


async def test_empty_inputs() -> None:
    with pytest.raises(ImageError, match="is empty"):
        await load_image(b"", None, max_bytes=LIMIT)
    with pytest.raises(ImageError, match="empty string"):
        await load_image("  ", None, max_bytes=LIMIT)


async def test_unknown_binary_is_described_by_its_first_bytes() -> None:
    with pytest.raises(UnsupportedImageTypeError, match="data starting with 00 01 02 03"):
        await load_image(bytes(range(256)) * 4, "x.png", max_bytes=LIMIT)


async def test_svg_is_named_as_unsupported() -> None:
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'
    with pytest.raises(UnsupportedImageTypeError, match="SVG"):
        await load_image(svg, "logo.svg", max_bytes=LIMIT)


# -- size limits ------------------------------------------------------------------------------

BIG = PNG + bytes(2000)


async def test_limit_for_bytes() -> None:
    with pytest.raises(ImageTooLargeError) as info:
        await load_image(BIG, "cat.png", max_bytes=1000, index=2)
    assert (
        str(info.value)
        == f"image 2 ('cat.png') is {format_size(len(BIG))}; the limit is 1000 bytes"
    )
    assert (await load_image(BIG, None, max_bytes=len(BIG))).data == BIG  # exactly at the limit


async def test_limit_message_in_megabytes() -> None:
    big = PNG + bytes(int(12.3 * 1024 * 1024) - len(PNG))
    with pytest.raises(
        ImageTooLargeError, match=r"^image 2 \('cat.gif'\) is 12.3 MB; the limit is 10 MB$"
    ):
        await load_image(big, "cat.gif", max_bytes=LIMIT, index=2)


async def test_limit_for_data_uri_is_checked_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_decoding(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("decoded an oversized payload")

    monkeypatch.setattr(base64, "b64decode", no_decoding)
    with pytest.raises(ImageTooLargeError, match=rf"is {len(BIG):,} bytes; the limit is"):
        await load_image(data_uri(BIG), None, max_bytes=len(BIG) - 1)


@pytest.mark.parametrize("extra", [0, 1, 2])
async def test_data_uri_size_is_exact(extra: int) -> None:
    data = PNG + bytes(extra)  # exercises every padding length
    blob = await load_image(data_uri(data), None, max_bytes=len(data))
    assert blob.data == data
    with pytest.raises(ImageTooLargeError):
        await load_image(data_uri(data), None, max_bytes=len(data) - 1)


async def test_limit_for_path_uses_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "big.png"
    target.write_bytes(BIG)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("opened an oversized file")

    monkeypatch.setattr(Path, "open", no_open)
    with pytest.raises(
        ImageTooLargeError, match=r"^image 'big.png' is 2(\.\d)? KB; the limit is 1000 bytes$"
    ):
        await load_image(target, None, max_bytes=1000)


async def test_limit_for_file_like_reads_one_byte_past_it() -> None:
    stream = io.BytesIO(BIG)
    with pytest.raises(ImageTooLargeError, match="larger than the limit of 1000 bytes"):
        await load_image(stream, "big.png", max_bytes=1000)
    assert stream.tell() == 1001
    assert (await load_image(io.BytesIO(BIG), None, max_bytes=len(BIG))).data == BIG


async def test_limit_for_url_is_passed_and_rechecked() -> None:
    fetcher = FakeFetcher(BIG)  # ignores the limit it is given
    with pytest.raises(
        ImageTooLargeError, match=r"^image 'big.png' is .*; the limit is 1000 bytes$"
    ):
        await load_image("http://img.example/big.png", None, max_bytes=1000, fetcher=fetcher)
    assert fetcher.calls == [("http://img.example/big.png", 1000)]


def test_format_size() -> None:
    assert format_size(1) == "1 byte"
    assert format_size(1023) == "1023 bytes"
    assert format_size(1024) == "1 KB"
    assert format_size(1536) == "1.5 KB"
    assert format_size(10 * 1024 * 1024) == "10 MB"
    assert format_size(3 * 1024**3) == "3 GB"


# -- filenames --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mime", "expected"),
    [
        (None, "image/png", "image.png"),
        ("", "image/jpeg", "image.jpg"),
        ("cat.png", "image/png", "cat.png"),
        ("cat.PNG", "image/png", "cat.PNG"),
        ("photo.png", "image/jpeg", "photo.jpg"),  # wrong image extension is replaced
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),  # any extension of the right type stays
        ("scan", "image/png", "scan.png"),
        ("v1.2", "image/gif", "v1.2.gif"),  # a non-image extension is kept, one appended
        (".hidden", "image/png", ".hidden.png"),
        ("dir/sub/cat.gif", "image/gif", "cat.gif"),
        ("C:\\pics\\cat.gif", "image/gif", "cat.gif"),
        ("..", "image/png", "image.png"),
        ("bad\x00name\n.webp", "image/webp", "badname.webp"),
    ],
)
def test_fit_filename(name: str | None, mime: str, expected: str) -> None:
    assert fit_filename(name, mime) == expected


async def test_given_filename_wins_but_gets_the_right_extension(tmp_path: Path) -> None:
    target = tmp_path / "original.gif"
    target.write_bytes(JPEG)
    blob = await load_image(target, "renamed.png", max_bytes=LIMIT)
    assert (blob.mime_type, blob.filename) == ("image/jpeg", "renamed.jpg")


async def test_file_object_name_is_used(tmp_path: Path) -> None:
    target = tmp_path / "from-disk.bmp"
    target.write_bytes(BMP)
    with target.open("rb") as handle:
        blob = await load_image(handle, None, max_bytes=LIMIT)
    assert blob.filename == "from-disk.bmp"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://cdn.example/u/IMG_0001.JPEG?x=1#f", "IMG_0001.png"),
        ("https://cdn.example/u/", "image.png"),
        ("https://cdn.example", "image.png"),
        ("https://cdn.example/a/b%2Fc.png", "c.png"),
    ],
)
async def test_filename_from_url(source: ImageSource, expected: str) -> None:
    blob = await load_image(source, None, max_bytes=LIMIT, fetcher=FakeFetcher(PNG))
    assert blob.filename == expected
