"""Small statistics and table helpers for the benchmarks."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

NO_GOAL = "—"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def p50_p99(values: Sequence[float]) -> str:
    """``"12.3 / 45.6 ms"`` of values in seconds."""
    return f"{percentile(values, 50) * 1000:.1f} / {percentile(values, 99) * 1000:.1f} ms"


@dataclass(frozen=True)
class Row:
    """One line of the result table; ``met`` is None when the measure has no goal."""

    measure: str
    value: str
    goal: str = NO_GOAL
    met: bool | None = None
    note: str = ""

    def cells(self) -> list[str]:
        verdict = "" if self.met is None else ("yes" if self.met else "**no**")
        return [self.measure, self.value, self.goal, verdict, self.note]


def at_most(measure: str, value: float, limit: float, unit: str, note: str = "") -> Row:
    """A row whose goal is ``value <= limit``; value and limit in the same unit."""
    return Row(
        measure, f"{value:.2f} {unit}".strip(), f"<= {limit:g} {unit}".strip(), value <= limit, note
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def rows_table(rows: Sequence[Row]) -> str:
    return markdown_table(["measure", "value", "goal", "met?", "notes"], [r.cells() for r in rows])
