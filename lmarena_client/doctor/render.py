"""How the doctor shows itself: the progress display (stderr) and the report as text (stdout).

The progress display writes only to the stream it is given (the CLI gives it stderr), so
``--json`` output on stdout stays one clean JSON document.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TextIO

from .report import EXIT_CHANGED, EXIT_FAILED, EXIT_OK, Report, StepResult

_MARKS = {"ok": "ok", "changed": "CHANGED", "failed": "FAILED", "skipped": "skipped"}
_WIDTH = 100


@dataclass(frozen=True)
class StepStarted:
    id: str
    title: str
    detail: str = ""


@dataclass(frozen=True)
class StepDone:
    result: StepResult


ProgressEvent = StepStarted | StepDone


class ProgressPrinter:
    """Prints each step as it starts and ends. ``live`` (a terminal) redraws one status line;
    otherwise one line per finished step, nothing else."""

    def __init__(self, stream: TextIO, *, live: bool) -> None:
        self._stream = stream
        self._live = live
        self._pending = False

    def __call__(self, event: ProgressEvent) -> None:
        if isinstance(event, StepStarted):
            if self._live:
                detail = f": {event.detail}" if event.detail else ""
                self._write(f"\r\x1b[K... {event.title}{detail}")
                self._pending = True
            return
        prefix = "\r\x1b[K" if self._live and self._pending else ""
        self._pending = False
        self._write(prefix + step_line(event.result) + "\n")

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


def step_line(result: StepResult) -> str:
    summary = f"  {result.summary}" if result.summary else ""
    return f"{_MARKS[result.status]:<8} {result.title:<34} {result.seconds:6.2f} s{summary}"


def render_text(report: Report) -> str:
    """The report for a person: one line per step, then causes and advice, then the verdict."""
    moved = (
        f" -> {report.final_origin}"
        if report.final_origin and report.final_origin != report.origin
        else ""
    )
    lines = [
        f"lmarena-doctor {report.client_version}: {report.origin}{moved} ({report.seconds:.1f} s)",
        "",
    ]
    for step in report.steps:
        lines.append(step_line(step))
        for label, text in (("cause", step.cause), ("what to do", step.advice)):
            if text and step.status != "ok":
                lines += textwrap.wrap(
                    text,
                    width=_WIDTH,
                    initial_indent=f"{'':9}{label}: ",
                    subsequent_indent=" " * (11 + len(label)),
                    break_on_hyphens=False,
                )
    lines += ["", verdict(report)]
    if report.capture:
        lines.append(f"capture written to {report.capture} (secrets replaced; review it first)")
    return "\n".join(lines) + "\n"


def verdict(report: Report) -> str:
    if report.exit_code == EXIT_OK:
        return "Every step is ok (exit 0)."
    if report.exit_code == EXIT_FAILED:
        names = ", ".join(s.title for s in report.failed)
        return (
            f"Failed: {names} (exit {EXIT_FAILED}). Report it with the file of "
            "`lmarena-doctor --capture trace.json` attached."
        )
    if report.exit_code == EXIT_CHANGED:
        names = ", ".join(s.title for s in report.changed)
        return (
            f"Changed: {names} (exit {EXIT_CHANGED}). The client copes for now; the site is "
            "not what it expects, so a report helps."
        )
    return f"exit {report.exit_code}"
