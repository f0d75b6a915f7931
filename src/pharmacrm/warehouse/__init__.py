"""Warehouse: fact imports into the partitioned Parquet store (DESIGN.md, Architecture)."""
