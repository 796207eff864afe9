"""`manage.py simulate`: the command line, its output and every kind of bad input."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

EXAMPLES = Path(__file__).resolve().parents[3] / "routing" / "simulator" / "examples"
LOG_HEADER = "received_at,channel,language,skill\n"
PLAN_HEADER = "starts_at,ends_at,experts,languages\n"
GOOD_LOG = LOG_HEADER + "2026-11-22T22:00:00+00:00,chat,en,\n"
GOOD_PLAN = PLAN_HEADER + "2026-11-22T21:00:00+00:00,2026-11-23T01:00:00+00:00,2,en;de\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def files(tmp_path: Path, log: str = GOOD_LOG, plan: str = GOOD_PLAN) -> list[str]:
    log_path, plan_path = tmp_path / "INQUIRIES.csv", tmp_path / "SHIFTS.csv"
    log_path.write_text(log)
    plan_path.write_text(plan)
    return ["--log", str(log_path), "--plan", str(plan_path)]


def run(*arguments: str) -> str:
    out = io.StringIO()
    call_command("simulate", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_example_files_simulate_to_a_report() -> None:
    text = run("--log", str(EXAMPLES / "inquiries.csv"), "--plan", str(EXAMPLES / "shifts.csv"),
               "--timezone", "Europe/Dublin")

    assert text.startswith("2,000 inquiries simulated (seed 1, times in Europe/Dublin).")
    assert "chat" in text and "email" in text and "social" in text
    assert "Expert utilization by hour of day" in text


def test_json_is_one_object_with_every_figure(tmp_path: Path) -> None:
    report = json.loads(run(*files(tmp_path), "--json", "--timezone", "Europe/Dublin"))

    assert report["inquiries"] == 1
    assert report["time_zone"] == "Europe/Dublin"
    assert set(report["channels"]["chat"]) == {
        "inquiries", "answered", "target_seconds", "first_response_seconds", "within_target",
        "handed_back", "offers_per_inquiry", "offers_per_inquiry_max"}
    assert len(report["utilization_by_hour"]) == 4
    assert len(report["utilization_by_hour_of_day"]) == 24


def test_same_seed_gives_the_same_json_through_the_command() -> None:
    arguments = ["--log", str(EXAMPLES / "inquiries.csv"), "--plan",
                 str(EXAMPLES / "shifts.csv"), "--json", "--seed", "3"]

    assert run(*arguments) == run(*arguments)
    assert run(*arguments) != run(*arguments[:-1], "4")


def test_options_change_the_model(tmp_path: Path) -> None:
    report = json.loads(run(*files(tmp_path), "--json", "--accept", "1", "--ignore", "0",
                            "--respond", "chat=fixed:2", "--reply", "chat=fixed:3",
                            "--target", "chat=4"))

    figures = report["channels"]["chat"]
    assert figures["first_response_seconds"]["p50"] == 5.0
    assert figures["target_seconds"] == 4.0
    assert figures["within_target"] == 0.0


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    terminal, pipe = Terminal(), io.StringIO()

    call_command("simulate", *files(tmp_path), stdout=io.StringIO(), stderr=terminal)
    call_command("simulate", *files(tmp_path), stdout=io.StringIO(), stderr=pipe)

    assert "[##############################] 1/1 inquiries" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_example_flag_writes_files_the_command_reads(tmp_path: Path) -> None:
    text = run("--example", str(tmp_path / "sample"), "--example-size", "50")

    assert "python manage.py simulate --log" in text
    assert run("--log", str(tmp_path / "sample" / "inquiries.csv"), "--plan",
               str(tmp_path / "sample" / "shifts.csv")).startswith("50 inquiries simulated")


@pytest.mark.parametrize(
    ("log", "message"),
    [
        (LOG_HEADER + "2026-11-22T22:00:00+00:00,chat,en,\nx,chat,en,\n",
         "INQUIRIES.csv line 3: received_at 'x' is not an ISO 8601 time with an offset "
         "(like 2026-11-22T18:05:00+00:00)."),
        (LOG_HEADER + "2026-11-22T22:00:00,chat,en,\n",
         "INQUIRIES.csv line 2: received_at '2026-11-22T22:00:00' is not an ISO 8601 time "
         "with an offset (like 2026-11-22T18:05:00+00:00)."),
        (LOG_HEADER + "2026-11-22T22:00:00+00:00,phone,en,\n",
         "INQUIRIES.csv line 2: channel 'phone' is not one of chat, email, social."),
        (LOG_HEADER + "2026-11-22T22:00:00+00:00,chat,english,\n",
         "INQUIRIES.csv line 2: language 'english' is not an ISO 639-1 code (like en)."),
        ("received_at,channel\n2026-11-22T22:00:00+00:00,chat\n",
         "INQUIRIES.csv line 1: missing column language (the header must name received_at, "
         "channel, language)."),
        (LOG_HEADER + "2026-11-22T22:00:00+00:00,chat,en,,extra\n",
         "INQUIRIES.csv line 2: more fields than the header has columns."),
        ("", "INQUIRIES.csv: the file is empty; it needs a header line with received_at, "
             "channel, language."),
        (LOG_HEADER, "INQUIRIES.csv: no inquiries after the header line."),
    ],
)
def test_bad_inquiry_log_names_the_line(tmp_path: Path, log: str, message: str) -> None:
    with pytest.raises(CommandError) as raised:
        run(*files(tmp_path, log=log))

    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (PLAN_HEADER + "2026-11-22T21:00:00+00:00,2026-11-22T20:00:00+00:00,2,en\n",
         "SHIFTS.csv line 2: ends_at '2026-11-22T20:00:00+00:00' is not after starts_at "
         "'2026-11-22T21:00:00+00:00'."),
        (PLAN_HEADER + "2026-11-22T21:00:00+00:00,2026-11-23T01:00:00+00:00,two,en\n",
         "SHIFTS.csv line 2: experts 'two' is not a whole number from 1 to 10,000."),
        (PLAN_HEADER + "2026-11-22T21:00:00+00:00,2026-11-23T01:00:00+00:00,0,en\n",
         "SHIFTS.csv line 2: experts '0' is not a whole number from 1 to 10,000."),
        (PLAN_HEADER + "2026-11-22T21:00:00+00:00,2026-11-23T01:00:00+00:00,2,en;deutsch\n",
         "SHIFTS.csv line 2: languages 'deutsch' is not an ISO 639-1 language code (like en)."),
        (PLAN_HEADER + "tomorrow,2026-11-23T01:00:00+00:00,2,en\n",
         "SHIFTS.csv line 2: starts_at 'tomorrow' is not an ISO 8601 time with an offset "
         "(like 2026-11-22T18:05:00+00:00)."),
        ("starts_at,experts\n", "SHIFTS.csv line 1: missing column ends_at (the header must "
                                "name starts_at, ends_at, experts)."),
    ],
)
def test_bad_shift_plan_names_the_line(tmp_path: Path, plan: str, message: str) -> None:
    with pytest.raises(CommandError) as raised:
        run(*files(tmp_path, plan=plan))

    assert str(raised.value) == message


def test_unreadable_and_binary_files_are_refused(tmp_path: Path) -> None:
    arguments = files(tmp_path)
    (tmp_path / "INQUIRIES.csv").write_bytes(b"\xff\xfe\x00binary")

    with pytest.raises(CommandError) as binary:
        run(*arguments)
    with pytest.raises(CommandError) as missing:
        run("--log", str(tmp_path / "absent.csv"), "--plan", arguments[3])

    assert str(binary.value).startswith("INQUIRIES.csv: not a UTF-8 text file")
    assert str(missing.value) == "absent.csv: cannot be read (No such file or directory)."


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--handle", "chat=gamma:3"],
         "'gamma:3': the kind must be one of fixed, uniform, exponential, lognormal"),
        (["--handle", "chat=lognormal:300"],
         "'lognormal:300': lognormal takes 2 number(s), like lognormal:300:0.5"),
        (["--handle", "phone=fixed:3"],
         "'phone=fixed:3': write CHANNEL=VALUE with CHANNEL one of chat, email, social"),
        (["--target", "chat=soon"], "'chat=soon': 'soon' is not a number of seconds"),
        (["--offer-timeout", "email=0"], "'email=0': the seconds must be more than zero"),
        (["--accept", "1.5"], "accept probability must be from 0 to 1, not 1.5"),
        (["--accept", "0.9", "--ignore", "0.2"],
         "accept and ignore probabilities add up to more than 1"),
        (["--timezone", "Mars/Olympus"],
         "--timezone 'Mars/Olympus' is not an IANA time zone (like Europe/Dublin)."),
    ],
)
def test_bad_options_are_clear_errors(tmp_path: Path, options: list[str], message: str) -> None:
    with pytest.raises(CommandError) as raised:
        run(*files(tmp_path), *options)

    assert str(raised.value) == message


def test_log_and_plan_are_both_needed() -> None:
    with pytest.raises(CommandError) as raised:
        run("--log", "x.csv")

    assert str(raised.value) == ("Give both --log INQUIRIES.csv and --plan SHIFTS.csv "
                                 "(or --example DIR to write sample files).")
