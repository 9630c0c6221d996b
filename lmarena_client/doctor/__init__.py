"""``lmarena-doctor``: when the site changes, name the step that broke, and capture what was seen.

Modules, one job each:

- :mod:`.steps`: the run, step by step, driving the library's own browser, transport and
  parsers (:func:`run_doctor`);
- :mod:`.observe`: the library's browser and transport, watched from the outside;
- :mod:`.trace`: the raw (unredacted, in-memory) trace of HTTP exchanges and browser events;
- :mod:`.diagnose`: pure judgements: ok / changed / failed, the likely cause, what to do;
- :mod:`.report`: the report model (``--json``) and the exit status;
- :mod:`.render`: the progress display (stderr) and the text report;
- :mod:`.redact`, :mod:`.capture`: pure redaction and the capture file (``--capture``);
- :mod:`.cli`: the command line.
"""

from __future__ import annotations

from .report import Report, StepResult
from .steps import DoctorOptions, run_doctor

__all__ = ["DoctorOptions", "Report", "StepResult", "run_doctor"]
