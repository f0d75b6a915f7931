"""Analytics runs, per-customer snapshots, saved customer lists and the analysts' pages."""
