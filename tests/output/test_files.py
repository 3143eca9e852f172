"""Output files: written whole or not at all, never over an input, a device, a FIFO, a
read-only file or a link out of the folder; a full disk or a closed pipe is one line, never
an internal error."""

import errno
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dcpower.cli import main
from dcpower.errors import InputError
from dcpower.inputs import forget_inputs, read_input
from dcpower.output import files
from dcpower.output.files import check_output, write_atomic

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_inputs():
    forget_inputs()
    yield
    forget_inputs()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_new_file_is_written_with_the_usual_permissions(tmp_path):
    target = tmp_path / "out.json"
    write_atomic(target, "{}\n")
    assert target.read_text() == "{}\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert _leftovers(tmp_path) == []


def test_existing_file_is_replaced_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_read_only_file_is_refused(tmp_path):
    # refused by its mode bits, so also when running as root (who could write it anyway)
    target = tmp_path / "ro.json"
    target.write_text("keep")
    target.chmod(0o444)
    with pytest.raises(InputError, match="read-only"):
        write_atomic(target, "new")
    assert target.read_text() == "keep" and _leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO, not a regular file


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_device_is_refused():
    # check_output refuses before anything is written, so this is safe even as root
    with pytest.raises(InputError, match="character device.*leave out -o"):
        check_output("/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="folder"):
        write_atomic(tmp_path, "x")
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "out.json", "x")


def test_a_name_ending_in_a_slash_is_refused(tmp_path, capsys):
    # "-o out.txt/" wrote the file out.txt: the slash, which names a folder, was dropped
    assert main(["estimate", "--gpus", "1000", "-o", f"{tmp_path}/out.txt/"]) == 2
    assert "a name ending in '/' is a folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_link_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    elsewhere = tmp_path / "b" / "precious.txt"
    elsewhere.write_text("keep")
    link = tmp_path / "a" / "out.json"
    link.symlink_to(elsewhere)
    with pytest.raises(InputError, match="symbolic link"):
        write_atomic(link, "x")
    assert elsewhere.read_text() == "keep" and link.is_symlink()


def test_link_within_the_folder_writes_its_file_and_stays_a_link(tmp_path):
    real = tmp_path / "results-v2.json"
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real.name)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_an_input_is_never_replaced_under_any_name(tmp_path):
    source = tmp_path / "my.toml"
    source.write_text("gpus = 1\n")
    read_input(source, "a scenario", 1024)
    hard = tmp_path / "hard.toml"
    os.link(source, hard)
    for name in (source, hard, tmp_path / "." / "my.toml"):
        with pytest.raises(InputError, match="reads it as input"):
            write_atomic(name, "overwritten")
    assert source.read_text() == "gpus = 1\n"


def test_full_disk_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(InputError, match="No space left on device.*nothing was written"):
        write_atomic(target, "new")
    assert target.read_text() == "old" and _leftovers(tmp_path) == []


def test_interrupt_leaves_no_temporary_file(tmp_path, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "out.json", "new")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the command line

def test_compare_does_not_overwrite_the_scenario_it_read(tmp_path, capsys):
    scenario = tmp_path / "my.toml"
    scenario.write_text((ROOT / "specs" / "scenarios" / "memphis.toml").read_text())
    before = scenario.read_bytes()
    code = main(["compare", str(scenario), "memphis", "--gpus", "1000", "-o", str(scenario)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("Error: cannot write") and "reads it as input" in err and len(err.splitlines()) == 1
    assert scenario.read_bytes() == before and _leftovers(tmp_path) == []


def test_spec_file_of_the_run_is_not_overwritten(tmp_path, capsys):
    specs = tmp_path / "myspecs"
    specs.mkdir()
    grids = specs / "grids.toml"
    grids.write_text("")  # an empty spec file: read, adds nothing
    code = main(["--specs", str(specs), "estimate", "--gpus", "1000", "-o", str(grids)])
    assert code == 2 and "reads it as input" in capsys.readouterr().err
    assert grids.read_text() == ""


def test_read_only_target_is_refused_before_any_work(tmp_path, capsys):
    target = tmp_path / "ro.json"
    target.write_text("keep")
    target.chmod(0o444)
    assert main(["estimate", "--format", "json", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and len(err.splitlines()) == 1 and target.read_text() == "keep"


class _Full(io.TextIOBase):
    """A standard output on a full disk, like /dev/full."""

    def write(self, s):
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_full_standard_output_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", _Full())
    code = main(["units"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Error: cannot write the output (No space left on device)") and "internal" not in err
    assert len(err.splitlines()) == 1


def _run_with_stdout(stdout) -> subprocess.CompletedProcess:
    # the console script's own code path (entry), in a fresh process
    cmd = [sys.executable, "-c", "from dcpower.cli import entry; entry()", "units"]
    return subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_dev_full_in_a_real_process():
    with open("/dev/full", "w") as full:
        proc = _run_with_stdout(full)
    assert proc.returncode == 2
    assert proc.stderr.startswith("Error: cannot write the output") and len(proc.stderr.splitlines()) == 1


def test_closed_pipe_exits_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as after `| head -1`
    try:
        proc = _run_with_stdout(write_end)
    finally:
        os.close(write_end)
    assert proc.stderr == "" and proc.returncode in (0, 1)


def test_json_never_holds_nan():
    from dcpower.report import to_json

    text = to_json({"a": float("nan"), "b": [float("inf"), 1.0]})
    assert json.loads(text) == {"a": None, "b": [None, 1.0]}
    assert "NaN" not in text and "Infinity" not in text
