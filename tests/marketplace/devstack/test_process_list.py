"""`make run`, deploy/compose.yaml and deploy/Dockerfile start the same processes with the same
command lines: the shared list in marketplace/devstack/process_list.py."""

import json
from pathlib import Path

import yaml
from django.conf import settings

from marketplace.devstack import run
from marketplace.devstack.process_list import PROCESSES, RELEASE

ROOT = Path(__file__).resolve().parents[3]
SERVERS = {"postgres", "redis"}


def compose() -> dict:  # type: ignore[type-arg]
    loaded = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_exactly_the_shared_processes_with_their_commands() -> None:
    services = compose()["services"]
    assert set(services) - SERVERS == set(PROCESSES) | set(RELEASE)
    for name, command in {**PROCESSES, **RELEASE}.items():
        assert services[name]["command"] == command, name


def test_compose_runs_one_beat_and_every_process_after_the_migration() -> None:
    services = compose()["services"]
    assert services["beat"]["deploy"]["replicas"] == 1
    for name in PROCESSES:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"}
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == (
            "marketplace.settings.production")
    for name in ("web", "routing-worker", "slow-worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name


def test_the_image_starts_a_process_of_the_list() -> None:
    lines = (ROOT / "deploy" / "Dockerfile").read_text().splitlines()
    [cmd] = [line for line in lines if line.startswith("CMD ")]
    assert json.loads(cmd.removeprefix("CMD ")) == PROCESSES["web"]


def test_make_run_starts_the_shared_processes() -> None:
    children = run.children()
    assert [child.name for child in children] == list(PROCESSES)
    for child in children:
        program, *arguments = PROCESSES[child.name]
        assert child.command[0].endswith(f"/{program}")
        assert child.command[1:] == arguments
    assert run.local_command(RELEASE["migrate"])[0] == run.PYTHON


def test_every_process_sees_one_media_volume_that_the_image_lets_it_write() -> None:
    """Attachments saved by a web process are read by the others and by the slow-jobs worker
    (retention): MEDIA_ROOT, /app/var/media in the image, is one named volume for all."""
    loaded = compose()
    for name in (*PROCESSES, *RELEASE):
        assert "media:/app/var/media" in loaded["services"][name]["volumes"], name
    assert "media" in loaded["volumes"]
    assert "chown shiftline var/media" in (ROOT / "deploy" / "Dockerfile").read_text()
    assert Path(settings.MEDIA_ROOT) == ROOT / "var" / "media"


def test_the_deploy_readme_names_every_process_with_its_command() -> None:
    text = (ROOT / "deploy" / "README.md").read_text()
    for name, command in {**PROCESSES, **RELEASE}.items():
        assert f"| `{name}` | `{' '.join(command)}`" in text, name
    assert "(deploy/README.md)" in (ROOT / "README.md").read_text()
