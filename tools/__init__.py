"""Tooling, not product: the benchmark, the load test, the scale-data generator,
the illustrative-fixture builder and backups. Tools may import the product;
nothing in the product imports tools (tests/test_tools_boundary.py)."""
