"""The identity file: real files in tmp_path, real processes for compare-and-set."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import secrets
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lmarena_client import identity_file
from lmarena_client.config import ClientSettings
from lmarena_client.errors import ConfigError
from lmarena_client.identity import PROVISIONAL_COOKIE, Identity, IdentityStore, StoredCookie
from lmarena_client.identity_file import (
    FileIdentityStore,
    _state_dir_for,
    default_state_dir,
    exclusive_file_lock,
)

ORIGIN = "https://arena.ai"
ROOT = Path(__file__).resolve().parents[2]


def make_identity(value: str, provisional: str = "prov-1", origin: str = ORIGIN) -> Identity:
    return Identity(
        cookies=(
            StoredCookie(
                name="arena-auth-prod-v1",
                value=value,
                domain="arena.ai",
                expires=1_900_000_000.5,
                http_only=True,
                secure=True,
                same_site="Lax",
            ),
            StoredCookie(name=PROVISIONAL_COOKIE, value=provisional, domain=".arena.ai"),
        ),
        origin=origin,
        saved_at=1_700_000_000.25,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def leftovers(store: FileIdentityStore) -> list[str]:
    return sorted(p.name for p in store.path.parent.iterdir() if p.name.endswith(".tmp"))


# -- basics -------------------------------------------------------------------------------------


async def test_round_trip(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path / "state", ORIGIN)
    assert isinstance(store, IdentityStore)
    ident = make_identity("base64-secret")
    assert await store.save(ident, replaces=None) is True
    loaded = await store.load()
    assert loaded == ident
    assert loaded is not None and loaded.fingerprint() == ident.fingerprint()
    # A fresh store object (another run) reads the same.
    assert await FileIdentityStore(tmp_path / "state", ORIGIN).load() == ident
    document = json.loads(store.path.read_text())
    assert document["version"] == 1
    assert document["origin"] == ORIGIN
    assert [c["name"] for c in document["cookies"]] == ["arena-auth-prod-v1", PROVISIONAL_COOKIE]
    assert leftovers(store) == []


async def test_missing_file_is_none_and_creates_nothing(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path / "state", ORIGIN)
    assert await store.load() is None
    await store.clear()
    assert not (tmp_path / "state").exists()


async def test_file_is_0600_and_created_dirs_0700_whatever_the_umask(tmp_path: Path) -> None:
    state = tmp_path / "deep" / "state"
    store = FileIdentityStore(state, ORIGIN)
    with umask(0):
        assert await store.save(make_identity("v"), replaces=None)
    assert mode(store.path) == 0o600
    assert mode(store.path.parent) == 0o700  # .../identity
    assert mode(state) == 0o700
    assert mode(tmp_path / "deep") == 0o700
    assert mode(store.lock_path) == 0o600


async def test_an_existing_state_dir_keeps_its_mode(tmp_path: Path) -> None:
    state = tmp_path / "shared"
    state.mkdir()
    os.chmod(state, 0o755)
    store = FileIdentityStore(state, ORIGIN)
    assert await store.save(make_identity("v"), replaces=None)
    assert mode(state) == 0o755  # not ours to change; our identity/ directory is 0700
    assert mode(store.path.parent) == 0o700


async def test_temp_file_is_private_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    seen: list[int] = []
    real_open = os.open

    def spying_open(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        fd = real_open(path, flags, mode)
        if str(path).endswith(".tmp"):
            seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    monkeypatch.setattr(identity_file.os, "open", spying_open)
    with umask(0):
        assert await store.save(make_identity("v"), replaces=None)
    assert seen == [0o600]


async def test_loose_identity_dir_is_tightened(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    store.path.parent.mkdir(mode=0o755)
    os.chmod(store.path.parent, 0o755)
    assert await store.save(make_identity("v"), replaces=None)
    assert mode(store.path.parent) == 0o700


async def test_different_origins_have_different_files(tmp_path: Path) -> None:
    origins = [
        "https://arena.ai",
        "https://lmarena.ai",
        "http://arena.ai",
        "https://arena.ai:8443",
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8081",
        "http://[::1]:8080",
    ]
    stores = [FileIdentityStore(tmp_path, o) for o in origins]
    assert len({s.path for s in stores}) == len(origins)
    for store in stores:
        assert store.path.parent == tmp_path / "identity"
        assert store.path.suffix == ".json"
    assert stores[4].path.name.startswith("127.0.0.1_8080-")
    for i, store in enumerate(stores):
        assert await store.save(make_identity(f"value-{i}", origin=origins[i]), replaces=None)
    for i, store in enumerate(stores):
        loaded = await store.load()
        assert loaded is not None and loaded.cookies[0].value == f"value-{i}"


def test_spellings_of_one_origin_share_a_file(tmp_path: Path) -> None:
    same = ["https://arena.ai", "https://arena.ai/", "HTTPS://Arena.AI", "https://arena.ai:443"]
    assert len({FileIdentityStore(tmp_path, o).path for o in same}) == 1


@pytest.mark.parametrize("origin", ["arena.ai", "ftp://arena.ai", "https://", "http://h:99999"])
def test_bad_origin_is_a_config_error(tmp_path: Path, origin: str) -> None:
    with pytest.raises(ConfigError):
        FileIdentityStore(tmp_path, origin)


async def test_clear_removes_the_file(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    ident = make_identity("v")
    assert await store.save(ident, replaces=None)
    await store.clear()
    assert not store.path.exists()
    assert await store.load() is None
    await store.clear()
    assert await store.save(ident, replaces=None) is True


# -- compare-and-set ---------------------------------------------------------------------------


async def test_compare_and_set_refuses_a_stale_replaces(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    first, second, third = make_identity("one"), make_identity("two"), make_identity("three")
    assert await store.save(first, replaces=first) is False  # nothing stored
    assert not store.path.exists()
    assert await store.save(first, replaces=None) is True
    before = store.path.read_bytes()
    assert await store.save(second, replaces=None) is False
    assert await store.save(second, replaces=third) is False
    assert store.path.read_bytes() == before
    assert await store.save(second, replaces=first) is True
    assert await store.save(third, replaces=first) is False  # first is stale now
    assert await store.load() == second
    # Compared by fingerprint: the same cookies loaded by another run match.
    loaded = await FileIdentityStore(tmp_path, ORIGIN).load()
    assert loaded is not None
    assert await store.save(third, replaces=loaded) is True


async def test_concurrent_saves_in_one_process_exactly_one_wins(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    start = make_identity("start")
    assert await store.save(start, replaces=None)
    others = [FileIdentityStore(tmp_path, ORIGIN) for _ in range(3)]
    candidates = [make_identity(f"v{i}") for i in range(8)]
    results = await asyncio.gather(
        *(
            [store, *others][i % 4].save(candidate, replaces=start)
            for i, candidate in enumerate(candidates)
        )
    )
    assert results.count(True) == 1
    assert await store.load() == candidates[results.index(True)]


async def test_save_holds_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    assert await store.save(make_identity("one"), replaces=None)
    monkeypatch.setattr(identity_file, "LOCK_TIMEOUT", 0.0)
    fd = os.open(store.lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as another process would
        with pytest.raises(TimeoutError):
            await store.save(make_identity("two"), replaces=make_identity("one"))
    finally:
        os.close(fd)
    assert await store.load() == make_identity("one")
    assert await store.save(make_identity("two"), replaces=make_identity("one")) is True


CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from lmarena_client.identity import Identity, StoredCookie
    from lmarena_client.identity_file import FileIdentityStore

    state, origin, me, ready, go, mode, rounds = sys.argv[1:8]

    def ident(value):
        cookie = StoredCookie(name="arena-auth-prod-v1", value=value, domain="arena.ai")
        return Identity(cookies=(cookie,), origin=origin, saved_at=time.time())

    async def main():
        store = FileIdentityStore(Path(state), origin)
        Path(ready).touch()
        while not Path(go).exists():
            time.sleep(0.001)
        if mode == "once":
            won = await store.save(ident("from-" + me), replaces=ident("start"))
            print("won" if won else "lost")
            return
        wins = 0
        while wins < int(rounds):
            current = await store.load()
            n = int(current.cookies[0].value)
            if await store.save(ident(str(n + 1)), replaces=current):
                wins += 1
        print(wins)

    asyncio.run(main())
    """
)


def run_children(tmp_path: Path, count: int, mode: str, rounds: int = 0) -> list[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    go = tmp_path / "go"
    children = []
    for i in range(count):
        ready = tmp_path / f"ready-{i}"
        args = [str(tmp_path / "state"), ORIGIN, str(i), str(ready), str(go), mode, str(rounds)]
        children.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, str(script), *args],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    try:
        for ready, child in children:
            while not ready.exists():
                assert child.poll() is None, child.stderr.read() if child.stderr else ""
                time.sleep(0.005)
        go.touch()  # all start at once
        outputs = []
        for _, child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            outputs.append(out.strip())
        return outputs
    finally:
        for _, child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


def _seed(tmp_path: Path, value: str) -> FileIdentityStore:
    store = FileIdentityStore(tmp_path / "state", ORIGIN)
    seed = Identity(
        cookies=(StoredCookie(name="arena-auth-prod-v1", value=value, domain="arena.ai"),),
        origin=ORIGIN,
        saved_at=0.0,
    )
    with contextlib.suppress(FileNotFoundError):
        store.path.unlink()
    assert store._save(seed, None) is True
    return store


def test_processes_saving_over_the_same_identity_exactly_one_wins(tmp_path: Path) -> None:
    store = _seed(tmp_path, "start")
    outputs = run_children(tmp_path, 4, "once")
    assert sorted(outputs) == ["lost", "lost", "lost", "won"]
    winner = outputs.index("won")
    stored = json.loads(store.path.read_text())
    assert stored["cookies"][0]["value"] == f"from-{winner}"


def test_concurrent_increments_lose_no_update(tmp_path: Path) -> None:
    # Three processes each count the stored value up 25 times by load + compare-and-set: with a
    # working lock no increment is lost, so the value ends at exactly 75.
    store = _seed(tmp_path, "0")
    outputs = run_children(tmp_path, 3, "count", rounds=25)
    assert outputs == ["25", "25", "25"]
    assert json.loads(store.path.read_text())["cookies"][0]["value"] == "75"
    assert leftovers(store) == []


# -- damaged and loose files ----------------------------------------------------------------


def _secret() -> str:
    return "SECRET-" + secrets.token_hex(12)


@pytest.mark.parametrize(
    "content",
    [
        "{not json SECRET",
        '["SECRET"]',
        '{"version": 2, "origin": "https://arena.ai", "saved_at": 1, "cookies": ["SECRET"]}',
        '{"origin": "https://arena.ai", "saved_at": 1, "cookies": []}',  # no version
        '{"version": 1, "origin": "https://arena.ai", "saved_at": 1, '
        '"cookies": [{"name": "cf_clearance", "value": "SECRET", "domain": "arena.ai"}]}',
        '{"version": 1, "origin": "https://arena.ai", "saved_at": 1, '
        '"cookies": [{"name": "arena-auth-prod-v1", "value": "SECRET"}]}',
        "\udcff SECRET",
        "[" * 100_000 + "SECRET",
    ],
)
async def test_corrupt_file_is_moved_aside_and_none_returned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    secret = _secret()
    store = FileIdentityStore(tmp_path, ORIGIN)
    store.path.parent.mkdir(mode=0o700)
    raw = content.replace("SECRET", secret).encode("utf-8", "surrogateescape")
    fd = os.open(store.path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, raw)
    os.close(fd)
    with caplog.at_level(logging.WARNING, logger="lmarena_client.identity_file"):
        assert await store.load() is None
    assert not store.path.exists()
    aside = [p for p in store.path.parent.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1
    assert aside[0].name.startswith(store.path.name + ".corrupt-")
    assert aside[0].read_bytes() == raw  # nothing lost
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert secret not in caplog.text
    assert all(secret not in str(r.args) for r in caplog.records)
    # The next start saves a fresh identity as if nothing was stored.
    assert await store.save(make_identity("fresh"), replaces=None) is True
    assert await store.load() == make_identity("fresh")


async def test_two_corrupt_files_in_one_second_are_both_kept(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    store.path.parent.mkdir(mode=0o700)
    for content in (b"first", b"second"):
        store.path.write_bytes(content)
        os.chmod(store.path, 0o600)
        assert await store.load() is None
    kept = sorted(p.read_bytes() for p in store.path.parent.iterdir() if ".corrupt-" in p.name)
    assert kept == [b"first", b"second"]


async def test_save_over_a_corrupt_file_sets_it_aside(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    store.path.parent.mkdir(mode=0o700)
    store.path.write_bytes(b"garbage")
    os.chmod(store.path, 0o600)
    assert await store.save(make_identity("v"), replaces=make_identity("old")) is False
    assert not store.path.exists()
    assert await store.save(make_identity("v"), replaces=None) is True
    assert [p.read_bytes() for p in store.path.parent.iterdir() if ".corrupt-" in p.name] == [
        b"garbage"
    ]


@pytest.mark.parametrize("loose", [0o640, 0o644, 0o604, 0o666])
async def test_group_or_world_readable_file_is_fixed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, loose: int
) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    secret = _secret()
    ident = make_identity(secret)
    assert await store.save(ident, replaces=None)
    os.chmod(store.path, loose)
    with caplog.at_level(logging.WARNING, logger="lmarena_client.identity_file"):
        assert await store.load() == ident
    assert mode(store.path) == 0o600
    assert "0600" in caplog.text
    assert secret not in caplog.text


async def test_private_file_loads_without_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    assert await store.save(make_identity("v"), replaces=None)
    with caplog.at_level(logging.WARNING, logger="lmarena_client.identity_file"):
        assert await store.load() == make_identity("v")
    assert caplog.records == []


async def test_oversized_file_is_set_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    assert await store.save(make_identity("v"), replaces=None)
    monkeypatch.setattr(identity_file, "MAX_FILE_BYTES", 10)
    assert await store.load() is None
    assert not store.path.exists()


async def test_symlinked_file_is_not_followed(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path / "state", ORIGIN)
    assert await store.save(make_identity("v"), replaces=None)
    elsewhere = tmp_path / "elsewhere.json"
    os.replace(store.path, elsewhere)
    store.path.symlink_to(elsewhere)
    with pytest.raises(OSError):
        await store.load()


# -- atomicity -------------------------------------------------------------------------------


async def test_leftover_temp_file_does_not_corrupt_the_real_one(tmp_path: Path) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    ident = make_identity("v")
    assert await store.save(ident, replaces=None)
    # A writer that crashed mid-write leaves half a file behind, under the temp file name.
    half = store.path.read_bytes()[: len(store.path.read_bytes()) // 2]
    leftover = store.path.parent / f".{store.path.name}.4242.deadbeef.tmp"
    leftover.write_bytes(half)
    assert await store.load() == ident
    assert await FileIdentityStore(tmp_path, ORIGIN).load() == ident
    # The next save (under the lock) removes it.
    assert await store.save(make_identity("w"), replaces=ident) is True
    assert leftovers(store) == []
    assert await store.load() == make_identity("w")


@pytest.mark.parametrize("failing", ["fsync", "replace"])
async def test_failed_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    store = FileIdentityStore(tmp_path, ORIGIN)
    old = make_identity("old")
    assert await store.save(old, replaces=None)
    before = store.path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(identity_file.os, failing, crash)
    with pytest.raises(OSError):
        await store.save(make_identity("new"), replaces=old)
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert await store.load() == old
    assert leftovers(store) == []


# -- the fallback lock (platforms without fcntl) -------------------------------------------------


def test_exclusive_file_lock_excludes_and_releases(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with exclusive_file_lock(lock, timeout=1.0):
        assert lock.exists()
        with pytest.raises(TimeoutError), exclusive_file_lock(lock, timeout=0.0):
            pass
    assert not lock.exists()
    with exclusive_file_lock(lock, timeout=0.0):
        pass


def test_exclusive_file_lock_breaks_a_stale_lock(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text("12345")
    old = identity_file.STALE_LOCK_AGE + 60
    os.utime(lock, (os.stat(lock).st_atime - old, os.stat(lock).st_mtime - old))
    with exclusive_file_lock(lock, timeout=0.0):
        pass


async def test_store_works_with_the_fallback_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity_file, "fcntl", None)
    store = FileIdentityStore(tmp_path, ORIGIN)
    assert await store.save(make_identity("one"), replaces=None)
    assert await store.save(make_identity("two"), replaces=make_identity("one"))
    assert not store.lock_path.exists()
    assert await store.load() == make_identity("two")


# -- where the state lives ---------------------------------------------------------------------


def test_state_dir_per_platform() -> None:
    home = Path("/home/u")

    def h() -> Path:
        return home

    assert _state_dir_for("linux", {}, h) == home / ".local/state/lmarena-client"
    assert _state_dir_for("freebsd13", {}, h) == home / ".local/state/lmarena-client"
    assert _state_dir_for("linux", {"XDG_STATE_HOME": "/xdg"}, h) == Path("/xdg/lmarena-client")
    assert _state_dir_for("linux", {"XDG_STATE_HOME": "rel"}, h) == (
        home / ".local/state/lmarena-client"
    )
    assert _state_dir_for("linux", {"XDG_STATE_HOME": ""}, h) == (
        home / ".local/state/lmarena-client"
    )
    assert _state_dir_for("darwin", {}, h) == (
        home / "Library" / "Application Support" / "lmarena-client"
    )
    assert _state_dir_for("win32", {"LOCALAPPDATA": "/appdata"}, h) == Path(
        "/appdata/lmarena-client"
    )
    assert _state_dir_for("win32", {}, h) == home / "AppData" / "Local" / "lmarena-client"


def test_default_state_dir_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_state_dir() == tmp_path / "lmarena-client"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home" / ".local" / "state" / "lmarena-client"


def test_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LM_ARENA_STATE_DIR", raising=False)
    monkeypatch.delenv("LM_ARENA_EPHEMERAL", raising=False)
    settings = ClientSettings()
    assert settings.state_dir is None
    assert settings.ephemeral is False
    monkeypatch.setenv("LM_ARENA_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("LM_ARENA_EPHEMERAL", "true")
    settings = ClientSettings()
    assert settings.state_dir == tmp_path
    assert settings.ephemeral is True
