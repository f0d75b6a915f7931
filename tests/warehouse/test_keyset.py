"""The natural-key hash set answers membership exactly, whatever its prefix filter says."""

from __future__ import annotations

import numpy as np

from pharmacrm.warehouse.keyset import KeySet


def test_membership_matches_a_python_set_across_many_batches() -> None:
    rng = np.random.default_rng(7)
    keys = KeySet()
    reference: set[int] = set()
    for batch_no in range(30):
        fresh = rng.integers(0, 2**64 - 1, 5_000, dtype=np.uint64, endpoint=True)
        # Repeats of earlier keys, and keys sharing an earlier key's top bits but not equal
        # (the prefix filter says "maybe"; only the sorted runs can say no).
        old = np.array(sorted(reference)[: 50 * batch_no : 7], dtype=np.uint64)
        neighbours = old ^ np.uint64(1)
        batch = np.concatenate([fresh, old, neighbours])

        found = keys.contains(batch)

        expected = np.array([int(value) in reference for value in batch], dtype=bool)
        assert np.array_equal(found, expected)
        keys.add(batch[~found])
        reference.update(int(value) for value in batch)
    assert len(keys) == len(reference)
    assert not keys.contains(np.array([], dtype=np.uint64)).size
