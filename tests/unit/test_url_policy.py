"""The one URL policy (pure) that the API's early check and the fetcher share: no I/O here."""

from __future__ import annotations

import ipaddress
import re

import pytest

from lmarena_client.errors import ForbiddenAddressError, ImageError
from lmarena_client.url_policy import (
    IPAddress,
    check_addresses,
    fetch_target,
    forbidden_reason,
    redact_url,
)


def ip(text: str) -> IPAddress:
    return ipaddress.ip_address(text)


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("http://img.example/a.png", "img.example", 80),
        ("https://img.example/a.png", "img.example", 443),
        ("HTTPS://IMG.Example:8443/a.png", "img.example", 8443),
        ("http://img.example./a.png", "img.example.", 80),  # a fully qualified name
        ("http://under_score.example/a", "under_score.example", 80),
        ("http://ÄÖ.example/a.png", "xn--4ca0b.example", 80),  # what is resolved: IDNA
        ("http://user:pw@img.example/a.png", "img.example", 80),  # the fetcher sends them
        ("http://img.example:/a.png", "img.example", 80),  # empty port: the default
    ],
)
def test_names_pass_to_be_judged_on_their_addresses(url: str, host: str, port: int) -> None:
    target = fetch_target(url, allow_private=False)
    assert (target.host, target.port, target.address) == (host, port, None)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://img.example/a.png", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("data:image/png;base64,AAAA", "only http and https"),
        ("gopher://img.example/", "only http and https"),
        ("a.png", "only http and https"),
        ("//img.example/a.png", "only http and https"),
        ("http:///a.png", "has no host"),
        ("http:\\\\127.0.0.1/a.png", "has no host"),
        ("http://[::1/a.png", "not a valid URL"),
        # urlsplit reads the host as evil.example, a browser as 127.0.0.1: refused outright.
        ("http://127.0.0.1\\@evil.example/a.png", "not a valid URL"),
        ("http://img example/a.png", "invalid host name"),
        ("http://img%2eexample/a.png", "invalid host name"),
        ("http://%31%32%37.0.0.1/a.png", "not a valid IPv4 address"),
        ("http://-img.example/a.png", "invalid host name"),
        (f"http://{'a' * 64}.example/", "invalid host name"),
        (f"http://{'a.' * 127}example/", "invalid host name"),
        ("http://img.example:0/a.png", "invalid port"),
        ("http://img.example:+80/a.png", "invalid port"),
        ("http://img.example: 80/a.png", "invalid port"),
        ("http://img.example:\u0668\u0660/a.png", "invalid port"),  # Arabic-Indic 80
        ("http://img.example:99999/a.png", "not a valid URL"),
        ("http://img.example:abc/a.png", "not a valid URL"),
        ("http://1.2.3.4.5/a.png", "not a valid IPv4 address"),
        ("http://256.1.1.1/a.png", "not a valid IPv4 address"),
        ("http://1.2.65536/a.png", "not a valid IPv4 address"),
        ("http://08.1.1.1/a.png", "not a valid IPv4 address"),
        ("http://img.123/a.png", "not a valid IPv4 address"),  # ends in a number: an address
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_malformed_urls_are_refused_whatever_the_address_setting(
    url: str, message: str, allow_private: bool
) -> None:
    with pytest.raises(ImageError, match=message) as info:
        fetch_target(url, allow_private=allow_private)
    assert not isinstance(info.value, ForbiddenAddressError)


@pytest.mark.parametrize(
    ("host", "address", "reason"),
    [
        ("127.0.0.1", "127.0.0.1", "loopback"),
        ("[::1]", "::1", "loopback"),
        ("127.0.0.1.", "127.0.0.1", "loopback"),
        # Numeric forms the system resolver reads as 127.0.0.1 (inet_aton): one number, hex,
        # octal, and short forms whose last part fills the remaining bytes.
        ("127.1", "127.0.0.1", "loopback"),
        ("2130706433", "127.0.0.1", "loopback"),
        ("0x7f000001", "127.0.0.1", "loopback"),
        ("0x7f.1", "127.0.0.1", "loopback"),
        ("0177.0.0.1", "127.0.0.1", "loopback"),
        ("127.0.1", "127.0.0.1", "loopback"),
        ("0", "0.0.0.0", "unspecified"),
        ("10.0.0.1", "10.0.0.1", "private"),
        ("169.254.169.254", "169.254.169.254", "link-local"),
        ("[fe80::1%25eth0]", "fe80::1%eth0", "link-local"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1", "IPv4-mapped form of 127.0.0.1"),
        ("[fc00::1]", "fc00::1", "private"),
    ],
)
def test_forbidden_literals_are_refused_unless_private_is_allowed(
    host: str, address: str, reason: str
) -> None:
    url = f"http://user:hunter2@{host}:8080/a.png?token=s3cr3t"
    with pytest.raises(ForbiddenAddressError, match=reason) as info:
        fetch_target(url, allow_private=False)
    assert "allow_private_image_urls" in str(info.value)
    assert "hunter2" not in str(info.value) and "s3cr3t" not in str(info.value)
    allowed = fetch_target(url, allow_private=True)
    assert allowed.address == ip(address) and allowed.port == 8080


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("93.184.216.34", "93.184.216.34"),
        ("134744072", "8.8.8.8"),  # one number, as the resolver would read it
        ("[2606:4700::1]", "2606:4700::1"),
        ("[::ffff:8.8.8.8]", "::ffff:808:808"),
    ],
)
def test_public_literals_pass_with_their_address(host: str, address: str) -> None:
    target = fetch_target(f"https://{host}/a.png", allow_private=False)
    assert target.address == ip(address) and target.port == 443


def test_an_address_policy_can_be_given() -> None:
    def everything_public(address: IPAddress) -> str | None:
        return None

    def nothing_public(address: IPAddress) -> str | None:
        return "not ours"

    assert fetch_target("http://127.0.0.1/", allow_private=False, policy=everything_public)
    with pytest.raises(ForbiddenAddressError, match=re.escape("8.8.8.8 is not ours")):
        fetch_target("http://8.8.8.8/", allow_private=False, policy=nothing_public)


def test_a_host_is_refused_if_any_of_its_addresses_is_forbidden() -> None:
    check_addresses("img.example", [ip("93.184.216.34"), ip("2606:4700::1")], allow_private=False)
    mixed = [ip("93.184.216.34"), ip("192.168.0.7")]
    with pytest.raises(
        ForbiddenAddressError, match=re.escape("img.example resolves to 192.168.0.7, a priv")
    ):
        check_addresses("img.example", mixed, allow_private=False)
    check_addresses("img.example", mixed, allow_private=True)
    check_addresses("img.example", [], allow_private=False)  # no answer is the resolver's error


def test_forbidden_reason_names_the_range() -> None:
    assert forbidden_reason(ip("127.0.0.1")) == "a loopback address"
    assert forbidden_reason(ip("100.64.0.1")) == "a carrier-grade NAT (shared) address"
    assert forbidden_reason(ip("8.8.8.8")) is None


def test_messages_show_urls_without_secrets() -> None:
    for url in (
        "http://user:hunter2@img.example:+80/a.png?token=s3cr3t#frag",
        "http://user:hunter2@/a.png?token=s3cr3t",
        "http://user:hunter2@img example/a.png?token=s3cr3t",
    ):
        with pytest.raises(ImageError) as info:
            fetch_target(url, allow_private=False)
        for secret in ("hunter2", "s3cr3t", "token", "frag"):
            assert secret not in str(info.value), str(info.value)
    assert (
        redact_url("https://u:p@Example.com:8443/a.png?x=1#y") == "https://example.com:8443/a.png"
    )
