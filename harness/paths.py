"""Where the checkout and the environment's console scripts are."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # lmarena-server and lmarena-worker of this environment
