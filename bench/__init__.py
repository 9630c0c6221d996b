"""Benchmarks of lmarena-client, run against the fake site: ``python -m bench [--quick]``."""
