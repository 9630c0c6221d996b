"""Running the doctor in this process against a fake site, with a real headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmarena_client.config import ClientSettings
from lmarena_client.doctor import DoctorOptions, Report, run_doctor
from lmarena_client.doctor.trace import Recorder
from lmarena_client.identity import IdentityStore


async def doctor(
    origin: str,
    *,
    store: IdentityStore | None = None,
    recorder: Recorder | None = None,
    capture: Path | None = None,
    keep_text: bool = False,
    upload: bool = False,
    baseline: Report | None = None,
    model: str | None = None,
    **settings: Any,
) -> Report:
    """One doctor run against ``origin``: headless, ephemeral unless a store is given."""
    settings.setdefault("browser_headless", True)
    options = DoctorOptions(
        model=model, upload=upload, capture=capture, keep_text=keep_text, baseline=baseline
    )
    return await run_doctor(
        ClientSettings(origin=origin, **settings),
        options,
        identity_store=store,
        recorder=recorder,
    )


def statuses(report: Report) -> dict[str, str]:
    return {step.id: step.status for step in report.steps}


def not_ok(report: Report) -> dict[str, str]:
    """Steps that are not ok, leaving out the upload when it was not asked for."""
    return {
        step.id: step.status
        for step in report.steps
        if step.status != "ok" and not (step.id == "upload" and step.summary.startswith("not"))
    }
