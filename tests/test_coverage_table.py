"""README's coverage table is the one benchmarks/coverage.py computes from the code as it is."""
from benchmarks import coverage


def test_readme_coverage_table_is_current():
    readme = (coverage.ROOT / "README.md").read_text()
    assert coverage.table() in readme, "README's coverage table is stale: run python -m benchmarks.coverage --write"
