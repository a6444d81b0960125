"""Speed and accuracy studies (`python -m benchmarks.NAME`); results go to benchmarks/RESULTS.md."""
