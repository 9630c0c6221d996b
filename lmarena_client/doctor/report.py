"""The doctor's report: one result per step, the exit status, and its JSON form (``--json``).

Exit status of ``lmarena-doctor``:

- ``0``: every step that ran is ok (steps not asked for, such as the upload without
  ``--upload``, are skipped and do not count);
- ``1``: at least one step failed;
- ``2``: the command line or a file it names is wrong (nothing was checked);
- ``3``: no step failed, but at least one changed: the client copes for now (a followed
  redirect, a challenge it passed, models only in the catalog, a rotated key or new action ids
  relative to ``--baseline``), but the site is not what the library expects; worth a report;
- ``130``: interrupted.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

StepStatus = Literal["ok", "changed", "failed", "skipped"]
StepId = Literal[
    "browser",
    "page",
    "interstitial",
    "auth_cookie",
    "recaptcha",
    "models",
    "actions",
    "token",
    "chat",
    "upload",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CHANGED = 3
EXIT_INTERRUPTED = 130

REPORT_FORMAT: Final = "lmarena-doctor-report"

# In the order the steps run.
STEP_TITLES: dict[StepId, str] = {
    "browser": "browser launch",
    "page": "page load and redirects",
    "interstitial": "Cloudflare interstitial",
    "auth_cookie": "auth cookie",
    "recaptcha": "grecaptcha and site key",
    "models": "models (page and catalog)",
    "actions": "Evaluation chunks and action ids",
    "token": "one reCAPTCHA token",
    "chat": "one tiny chat",
    "upload": "upload round trip",
}


class StepResult(BaseModel):
    """What one step found. ``cause`` says in plain words why a step changed, failed or was
    skipped; ``advice`` what to set or report."""

    model_config = ConfigDict(extra="forbid")

    id: StepId
    title: str
    status: StepStatus
    seconds: float = Field(ge=0)
    summary: str = ""
    found: dict[str, JsonValue] = Field(default_factory=dict)
    cause: str | None = None
    advice: str | None = None


class Report(BaseModel):
    """The whole run; ``--json`` prints exactly this."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["lmarena-doctor-report"] = REPORT_FORMAT
    version: Literal[1] = 1
    client_version: str
    origin: str
    final_origin: str | None = None
    started_at: str
    seconds: float = Field(ge=0)
    steps: list[StepResult]
    exit_code: int
    capture: str | None = None

    def step(self, step_id: str) -> StepResult | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def failed(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == "failed"]

    @property
    def changed(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == "changed"]


def exit_code(steps: list[StepResult]) -> int:
    """1 if a step failed, else 3 if a step changed, else 0."""
    if any(s.status == "failed" for s in steps):
        return EXIT_FAILED
    if any(s.status == "changed" for s in steps):
        return EXIT_CHANGED
    return EXIT_OK
