"""docs/workshop.md: every `dcpower ...` command in it runs and exits 0, so the guide never rots."""

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from dcpower.cli import cli

WORKSHOP = Path(__file__).resolve().parents[1] / "docs" / "workshop.md"


def workshop_commands() -> list[str]:
    """Lines starting with `dcpower ` inside fenced code blocks, in order."""
    commands, fenced = [], False
    for line in WORKSHOP.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        text = re.sub(r"^\$\s*", "", line.strip())
        if fenced and text.startswith("dcpower "):
            commands.append(text)
    return commands


def test_workshop_has_six_exercises_with_commands():
    text = WORKSHOP.read_text(encoding="utf-8")
    assert len(re.findall(r"^## \d\. ", text, flags=re.M)) == 6
    assert len(workshop_commands()) >= 15


@pytest.mark.parametrize("command", workshop_commands())
def test_workshop_command_runs(command, tmp_path, monkeypatch):
    args = shlex.split(command, comments=True)[1:]
    if args[0] == "plot":
        pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)  # plots write their files here
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, f"{command}\n{result.output}"
    assert result.output.strip()
    out = [a for i, a in enumerate(args) if i and args[i - 1] in ("-o", "--output")]
    for name in out:
        assert (tmp_path / name).stat().st_size > 1000
