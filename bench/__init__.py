"""Benchmarks. `python -m bench` lists and runs them; `python -m bench NAME [args]` runs one.

Each benchmark is a module `bench/<name>.py` with `main(argv) -> int` that prints its figures
and their ratio to a baseline measured in the same run, so numbers from different machines
can be compared as ratios.
"""
