from pathlib import Path

import pytest
from pydantic import ValidationError

from lmarena_client.config import DEFAULT_ORIGIN, ClientSettings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LM_ARENA_ORIGIN", "LM_ARENA_BROWSER_HEADLESS", "LM_ARENA_HEADLESS"):
        monkeypatch.delenv(name, raising=False)
    s = ClientSettings()
    assert s.origin == DEFAULT_ORIGIN
    assert s.browser_headless is False  # headful is the default


def test_documented_env_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LM_ARENA_ORIGIN", "http://127.0.0.1:9/")
    monkeypatch.setenv("LM_ARENA_BROWSER_EXECUTABLE_PATH", str(tmp_path / "chrome"))
    monkeypatch.setenv("LM_ARENA_BROWSER_USER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LM_ARENA_BROWSER_PROFILE_DIRECTORY", "Default")
    monkeypatch.setenv("LM_ARENA_BROWSER_INCOGNITO", "yes")
    monkeypatch.setenv("LM_ARENA_BROWSER_HEADLESS", "1")
    s = ClientSettings()
    assert s.origin == "http://127.0.0.1:9"
    assert s.browser_executable_path == tmp_path / "chrome"
    assert s.browser_user_data_dir == tmp_path
    assert s.browser_profile_directory == "Default"
    assert s.browser_incognito is True
    assert s.browser_headless is True


@pytest.mark.parametrize("name", ["LM_ARENA_HEADLESS", "LM_ARENA_BROWSER_HEADLESS"])
def test_old_and_new_headless_names(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv("LM_ARENA_HEADLESS", raising=False)
    monkeypatch.delenv("LM_ARENA_BROWSER_HEADLESS", raising=False)
    monkeypatch.setenv(name, "true")
    assert ClientSettings().browser_headless is True


def test_old_incognito_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LM_ARENA_BROWSER_INCOGNITO", raising=False)
    monkeypatch.setenv("LM_ARENA_INCOGNITO", "1")
    assert ClientSettings().browser_incognito is True


def test_bad_origin_is_refused() -> None:
    with pytest.raises(ValidationError, match="origin"):
        ClientSettings(origin="arena.ai")


def test_paths_get_a_leading_slash() -> None:
    assert ClientSettings(boot_path="text/direct").boot_path == "/text/direct"


def test_keyword_overrides_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LM_ARENA_HEADLESS", "0")
    s = ClientSettings(browser_headless=True, origin="http://127.0.0.1:1/")
    assert s.browser_headless is True
    assert s.origin == "http://127.0.0.1:1"
