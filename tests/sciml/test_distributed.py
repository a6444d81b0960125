"""sciml.distributed: one process is one device holding every row; an exception on one MPI process stops both."""
import numpy as np

import sciml
from sciml import tree

from .transforms import pmap_cases as C
from .transforms.test_parallel import _run_two


def test_one_process_is_one_device_holding_all_rows():
    assert (sciml.process_index(), sciml.process_count(), sciml.device_count()) == (0, 1, 1)
    data = {"a": C.X, "b": C.D}
    for got, want in zip(tree.leaves(sciml.distributed.shard(data)) + tree.leaves(sciml.distributed.gather(data)),
                         tree.leaves(data) * 2):
        np.testing.assert_array_equal(got, want)


def test_an_exception_in_one_process_stops_both_instead_of_hanging():
    script = ("import numpy as np, sciml\n"
              "if sciml.process_index() == 1:\n"
              "    raise RuntimeError('only on process 1')\n"
              "sciml.distributed.allreduce(np.ones(1), 'sum')  # process 0 would wait here forever\n")
    out = _run_two("-c", script, succeed=False)
    assert out.returncode != 0 and "RuntimeError: only on process 1" in out.stderr
