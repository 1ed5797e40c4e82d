"""Batch evaluation on DuckDB or Spark: engines, set-based rules, registry inputs."""
