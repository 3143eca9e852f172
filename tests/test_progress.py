"""Progress on stderr for the runs that take a while: only on a terminal, never with -q.

The terminal check is replaced by a fake one; what progress prints is the count of work done,
so the expected totals below are the sizes of the runs asked for.
"""

import pytest

import dcpower.cli as cli_module
from dcpower.cli import main


@pytest.fixture()
def run(capsys):
    def _run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return _run


@pytest.fixture()
def terminal(monkeypatch):
    monkeypatch.setattr(cli_module, "_stderr_is_terminal", lambda: True)


LONG_RUNS = [
    (("estimate", "--gpus", "1000", "--uncertainty", "50"), "samples: 50/50"),
    (("sweep", "--gpus", "1000..3000", "--steps", "3"), "steps: 3/3"),
    (("fit", "--power", "5 MW", "--water", "0.1 Mgal/day"), "fit: 3/3"),  # 2 budgets, then the estimate
    (("compare", "--vary", "cooling=air-chiller,dlc-tower", "--gpus", "1000"), "variants: 2/2"),
    (("compare", "memphis", "memphis-phased"), "variants: 2/2"),
]


@pytest.mark.parametrize("argv, shown", LONG_RUNS, ids=[a[0] + str(i) for i, (a, _) in enumerate(LONG_RUNS)])
def test_progress_on_a_terminal(run, terminal, argv, shown):
    code, out, err = run(*argv)
    assert code == 0, err
    assert shown in err and shown not in out


# The Memphis towers cannot make W32 water at design, so this run warns as well as progresses.
UNCERTAIN = ("estimate", "--gpus", "1000", "--cooling", "immersion", "--uncertainty", "50")  # immersion warns


def test_terminal_shows_progress_and_warnings(run, terminal):
    code, _, err = run(*UNCERTAIN)
    assert code == 0 and "samples: 50/50" in err and "warning: " in err


@pytest.mark.parametrize("quiet", [("-q",), ("--quiet",)])
def test_quiet_silences_progress_and_warnings(run, terminal, quiet):
    # before the command (dcpower -q estimate) and after it (dcpower estimate -q)
    for argv in (quiet + UNCERTAIN, UNCERTAIN + quiet):
        code, out, err = run(*argv)
        assert code == 0 and "facility_power" in out
        assert err == "", err


def test_no_progress_when_stderr_is_not_a_terminal(run):
    code, _, err = run(*UNCERTAIN)
    assert code == 0 and "samples:" not in err and "warning: " in err
