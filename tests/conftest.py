"""For the whole suite: numba programs compile at their first call (no compile tiers), so a test of the
numba backend runs numba's code and runs stay bitwise repeatable; tests/sciml/backends/test_tiers.py turns
the tiers on where it tests them. Set in the environment, so the processes tests start inherit it."""
import os

os.environ["SCIML_COMPILE_TIERS"] = "0"
