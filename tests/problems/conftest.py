"""Shared by the problem tests: the `sciml` command's refusals, run in this process."""
import subprocess

import pytest

from problems import cli


@pytest.fixture
def sciml_here(capsys):
    """run(*args) -> the CompletedProcess of `sciml args` run as cli.main(args) in this process: its exit status
    (what `python -m problems.cli` exits with), stdout and stderr. For the refusals and the short runs whose
    outcome does not depend on the process: a process of their own would add its start, 2-3 s of imports, to each.
    test_cli still runs the command in a process of its own where that is what is tested (the exit status and the
    one line of an error, a traceback with --debug, signals) and for list, solve and fit once each."""
    def run(*args):
        capsys.readouterr()
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as e:  # argparse's refusals
            code = e.code
        out = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out.out, out.err)
    return run
