"""The coverage simulator's pace: `manage.py simulate` on 100,000 generated inquiries (the
issue asks for under a minute), timed end to end: reading both files, simulating, reporting."""

import io
import json
import tempfile
import time
from pathlib import Path

from django.core.management import call_command

from routing.simulator.sample import write_examples

INQUIRIES = 100_000


def run() -> dict[str, object]:
    log, plan = write_examples(Path(tempfile.mkdtemp(prefix="shiftline-sim-")),
                               inquiries=INQUIRIES)
    out = io.StringIO()
    started = time.perf_counter()
    call_command("simulate", "--log", str(log), "--plan", str(plan), "--timezone",
                 "Europe/Dublin", "--json", stdout=out, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    report = json.loads(out.getvalue())
    return {"inquiries": report["inquiries"], "seconds": round(seconds, 2),
            "inquiries_per_second": round(INQUIRIES / seconds), "target_seconds": 60}
