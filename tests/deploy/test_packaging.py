"""The wheel ships what installs need without Node: the built WebUI and the type markers."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_the_webui_and_py_typed(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("lmarena_client-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    dist = ROOT / "lmarena_api" / "webui_dist"
    built = {str(p.relative_to(ROOT)) for p in dist.rglob("*") if p.is_file()}
    assert "lmarena_api/webui_dist/index.html" in built
    assert built <= names, sorted(built - names)
    for package in ("lmarena_client", "lmarena_worker", "lmarena_api"):
        assert f"{package}/py.typed" in names
    assert "lmarena_client/testing/__main__.py" in names  # the offline demo needs the fake site
