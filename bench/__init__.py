"""ipreader's benchmarks: each script runs as ``python -m bench.NAME`` from the repository root.

``bench.run_all`` runs the suite (``--quick``: CI's small run); ``bench/lib/``
holds the helpers the scripts share; ``RESULTS.md`` records the figures.
"""
