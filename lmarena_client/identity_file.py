"""The identity kept on disk: one private JSON file per site origin.

Layout: ``<state dir>/identity/<host>_<port>-<hash>.json`` (the hash tells apart origins that
differ only in scheme or in characters the name cannot hold), next to it ``<same>.lock``.

- Private: directories this module creates get mode 0700, the file 0600 from its first byte
  (the temporary file is created with ``os.open(..., 0o600)``); a file found readable by group
  or others is set back to 0600 with a warning.
- Atomic: a save writes a temporary file in the same directory, fsyncs it, ``os.replace``-s it
  over the file and fsyncs the directory. A crash leaves the old file or the new one, never a
  mix; the temporary files a crash leaves behind are removed by the next save.
- Compare-and-set: a save (and a clear) holds an exclusive ``fcntl.flock`` on the lock file while
  it reads, compares and writes, so of two processes saving over the same identity exactly one
  wins.
- Nothing is lost: a file that does not parse, or has an unknown format version, is renamed to
  ``<name>.corrupt-<UTC timestamp>`` and logged (without its content); ``load`` then answers
  None.

The blocking work runs in a thread (``asyncio.to_thread``). I/O failures (permissions, a full
disk) raise ``OSError``; a lock held by another process for over ``LOCK_TIMEOUT`` seconds raises
``TimeoutError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import hashlib
import json
import logging
import os
import re
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

from pydantic import ValidationError

from .errors import ConfigError
from .identity import Identity, fingerprints_match

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

logger = logging.getLogger(__name__)

APP_NAME = "lmarena-client"
FORMAT_VERSION = 1
LOCK_TIMEOUT = 30.0  # seconds to wait for another process's save
MAX_FILE_BYTES = 1024 * 1024  # an identity is a few KiB; anything larger is not one
_DIR_MODE = 0o700
_FILE_MODE = 0o600
_POSIX = os.name == "posix"


def default_state_dir() -> Path:
    """Where the library keeps its state when ``LM_ARENA_STATE_DIR`` is not set.

    ``$XDG_STATE_HOME/lmarena-client`` when that variable holds an absolute path (on any
    platform but Windows); otherwise ``~/Library/Application Support/lmarena-client`` on
    macOS, ``%LOCALAPPDATA%\\lmarena-client`` on Windows and ``~/.local/state/lmarena-client``
    on Linux and other Unix.
    """
    return _state_dir_for(sys.platform, os.environ, Path.home)


def _state_dir_for(platform: str, environ: Mapping[str, str], home: Callable[[], Path]) -> Path:
    """:func:`default_state_dir` for a given ``sys.platform``, environment and home getter."""
    if platform == "win32":
        local = environ.get("LOCALAPPDATA")
        base = Path(local) if local else home() / "AppData" / "Local"
        return base / APP_NAME
    xdg = environ.get("XDG_STATE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec: relative paths are to be ignored
        return Path(xdg) / APP_NAME
    if platform == "darwin":
        return home() / "Library" / "Application Support" / APP_NAME
    return home() / ".local" / "state" / APP_NAME


def origin_file_name(origin: str) -> str:
    """The file name (without suffix) for an origin: ``<host>_<port>-<12 hex digits>``.

    Equivalent spellings of one origin (case, a trailing slash, the default port) share a
    name; origins differing in scheme, host or port do not.
    """
    parts = urlsplit(origin.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
        scheme = ""  # refused below
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        raise ConfigError(f"identity store origin must be an http(s) URL, not {origin!r}")
    port = port or (443 if scheme == "https" else 80)
    canonical = f"{scheme}://{host}:{port}"
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    safe_host = re.sub(r"[^a-z0-9.-]", "_", host).strip(".")[:100] or "host"
    return f"{safe_host}_{port}-{digest}"


class FileIdentityStore:
    """An :class:`~lmarena_client.identity.IdentityStore` in one file per origin."""

    def __init__(self, state_dir: Path, origin: str) -> None:
        self.state_dir = Path(state_dir)
        self.origin = origin
        name = origin_file_name(origin)
        self.path: Path = self.state_dir / "identity" / f"{name}.json"
        self.lock_path: Path = self.path.with_name(f"{name}.lock")

    def __repr__(self) -> str:
        return f"FileIdentityStore(path={str(self.path)!r})"

    async def load(self) -> Identity | None:
        return await asyncio.to_thread(self._load)

    async def save(self, identity: Identity, *, replaces: Identity | None) -> bool:
        return await asyncio.to_thread(self._save, identity, replaces)

    async def clear(self) -> None:
        await asyncio.to_thread(self._clear)

    # -- blocking work, run in a thread --------------------------------------------------------

    def _load(self) -> Identity | None:
        read = self._read()
        if not isinstance(read, _Corrupt):
            return read
        # Decide again under the lock: a save may have just replaced the bad file.
        with self._locked():
            return self._read_or_set_aside()

    def _save(self, identity: Identity, replaces: Identity | None) -> bool:
        self._make_dirs()
        with self._locked():
            self._remove_stale_temp_files()
            if not fingerprints_match(self._read_or_set_aside(), replaces):
                return False
            self._write(identity)
            return True

    def _clear(self) -> None:
        if not self.path.parent.is_dir():
            return
        with self._locked():
            try:
                self.path.unlink()
            except FileNotFoundError:
                return
            _fsync_dir(self.path.parent)

    def _read_or_set_aside(self) -> Identity | None:
        """The stored identity (the lock is held); a corrupt file is renamed aside: None."""
        read = self._read()
        if isinstance(read, _Corrupt):
            self._set_aside(read.reason)
            return None
        return read

    def _read(self) -> Identity | _Corrupt | None:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as f:
            self._fix_mode(f.fileno())
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return _Corrupt("larger than an identity can be")
        return _parse(raw)

    def _fix_mode(self, fd: int) -> None:
        if not _POSIX:
            return  # Windows: POSIX mode bits mean nothing there
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            os.fchmod(fd, _FILE_MODE)
            logger.warning(
                "identity file %s was open to other users (mode %o); its mode is now 0600",
                self.path,
                mode,
            )

    def _set_aside(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():  # under the lock: no other writer picks the same name
            counter += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            return
        _fsync_dir(self.path.parent)
        logger.warning(
            "identity file %s is unusable (%s); moved it to %s and starting without an identity",
            self.path,
            reason,
            target.name,
        )

    def _write(self, identity: Identity) -> None:
        document = {"version": FORMAT_VERSION, **identity.model_dump(mode="json")}
        data = json.dumps(document, indent=1, sort_keys=True).encode()
        directory = self.path.parent
        temp = directory / f"{self._temp_prefix()}{os.getpid()}.{secrets.token_hex(4)}.tmp"
        flags = (
            os.O_WRONLY
            | os.O_CREAT
            | os.O_EXCL
            | getattr(os, "O_NOFOLLOW", 0)
            | getattr(os, "O_CLOEXEC", 0)
            | getattr(os, "O_BINARY", 0)
        )
        fd = os.open(temp, flags, _FILE_MODE)  # private from its first byte
        try:
            with os.fdopen(fd, "wb") as f:
                if _POSIX:
                    os.fchmod(f.fileno(), _FILE_MODE)  # exactly 0600, whatever the umask
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        _fsync_dir(directory)

    def _temp_prefix(self) -> str:
        return f".{self.path.name}."

    def _remove_stale_temp_files(self) -> None:
        # Temporary files are only written under the lock, so any found now (the lock held)
        # were left by a writer that crashed.
        prefix = self._temp_prefix()
        for leftover in self.path.parent.glob(f"{glob.escape(prefix)}*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()

    def _make_dirs(self) -> None:
        """Create missing directories with mode 0700; keep our ``identity`` directory 0700."""
        directory = self.path.parent
        missing: list[Path] = []
        probe = directory
        while not probe.exists():
            missing.append(probe)
            if probe.parent == probe:
                break
            probe = probe.parent
        for path in reversed(missing):
            with contextlib.suppress(FileExistsError):
                path.mkdir(mode=_DIR_MODE)
                if _POSIX:
                    os.chmod(path, _DIR_MODE)  # mkdir's mode is cut by the umask
        if _POSIX and directory not in missing:
            mode = stat.S_IMODE(os.stat(directory).st_mode)
            if mode & 0o077:
                os.chmod(directory, _DIR_MODE)
                logger.warning(
                    "identity directory %s was open to other users (mode %o); its mode is now 0700",
                    directory,
                    mode,
                )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if fcntl is not None:
            with _flock(fcntl, self.lock_path, LOCK_TIMEOUT):
                yield
        else:
            with exclusive_file_lock(self.lock_path, LOCK_TIMEOUT):
                yield


class _Corrupt:
    """A stored file that is not an identity of this format; ``reason`` holds no content."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _parse(raw: bytes) -> Identity | _Corrupt:
    # Reasons name the kind of failure only: exception messages may quote the content.
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return _Corrupt("not JSON")
    if not isinstance(document, dict):
        return _Corrupt("not a JSON object")
    version = document.pop("version", None)
    if version != FORMAT_VERSION:
        return _Corrupt(f"format version is not {FORMAT_VERSION}")
    try:
        return Identity.model_validate(document)
    except (ValidationError, ValueError, RecursionError):
        return _Corrupt("not a valid identity")


def _fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable (POSIX; Windows cannot open a dir)."""
    if not _POSIX:
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _flock(module: ModuleType, lock_path: Path, timeout: float) -> Iterator[None]:
    """An exclusive ``flock`` on ``lock_path``; the kernel drops it if this process dies."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(lock_path, flags, _FILE_MODE)
    try:
        deadline = time.monotonic() + timeout
        pause = 0.001
        while True:
            try:
                module.flock(fd, module.LOCK_EX | module.LOCK_NB)
                break
            except BlockingIOError:
                # Polling, not a blocking flock: a thread stuck forever could not be cancelled.
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"identity lock {lock_path} is held elsewhere") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
        try:
            yield
        finally:
            module.flock(fd, module.LOCK_UN)
    finally:
        os.close(fd)


# A lock file left by a crashed process is broken after this many seconds (fallback lock only).
STALE_LOCK_AGE = 120.0


@contextlib.contextmanager
def exclusive_file_lock(lock_path: Path, timeout: float) -> Iterator[None]:
    """Best-effort lock for platforms without ``fcntl`` (Windows): create the lock file with
    ``O_CREAT | O_EXCL`` and delete it when done.

    Weaker than ``flock``: a process that dies while holding it leaves the file behind, and it
    is only broken once older than ``STALE_LOCK_AGE``; a holder stalled for longer than that
    could then share the lock. Good enough for one user's processes on one machine.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            fd = os.open(lock_path, flags, _FILE_MODE)
            break
        except FileExistsError:
            with contextlib.suppress(OSError):
                if time.time() - os.stat(lock_path).st_mtime > STALE_LOCK_AGE:
                    os.unlink(lock_path)
                    continue
            if time.monotonic() >= deadline:
                raise TimeoutError(f"identity lock {lock_path} is held elsewhere") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
    try:
        try:
            os.write(fd, str(os.getpid()).encode())  # for a human looking at a stuck lock
        finally:
            os.close(fd)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
