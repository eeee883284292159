"""Benchmarks at city scale: a data generator (`bench.generate`) and the runner (`python -m bench`)."""
