"""The examples in sciml.optim's docstrings run and give what they show."""
import doctest
import importlib

import pytest

MODULES = ["sciml.optim.base", "sciml.optim.schedules", "sciml.optim.transforms", "sciml.optim.alias",
           "sciml.optim.flat", "sciml.optim.quasi_newton", "sciml.optim.scipy_bridge"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
