"""drugkg's benchmark suite: `python -m bench.run` measures every stage and writes BENCHMARKS.md."""
