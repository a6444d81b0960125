"""Shared by the problem tests: the `sciml` command's refusals, run in this process."""
import subprocess

import pytest

from problems import cli


@pytest.fixture
def sciml_here(capsys):
    """run(*args) -> the CompletedProcess of `sciml args` run as cli.main(args) in this process: its exit status
    (what `python -m problems.cli` exits with), stdout and stderr. For the refusals, which come before any work: a
    process of their own would add only its start, 2-3 s of imports, to each. The tests that train, and one refusal
    (test_cli.test_errors_are_one_line_with_a_nonzero_exit), run the command in a process of its own."""
    def run(*args):
        capsys.readouterr()
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as e:  # argparse's refusals
            code = e.code
        out = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out.out, out.err)
    return run
