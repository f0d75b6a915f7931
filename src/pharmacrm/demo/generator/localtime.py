"""Local wall-clock times that exist exactly once in their zone.

Source files carry naive local times (a POS export or a web shop's order report has no offset
column), so the generator must never write a time that falls in a daylight-saving gap (it does
not exist: 01:30 on the spring-forward day in London) or in a fold (it exists twice: 01:30 on
the autumn fall-back day) — the importer cannot place either on the UTC time line.

The rule (FORMATS.md, MODEL.md): a drawn wall time inside a gap or a fold moves forward by the
length of the transition (the difference of the two offsets), i.e. onto the same reading of the
clock after the switch. That is the PEP 495 reading of a gap time with ``fold=0``, and it keeps
the draw itself (and so every other random number) unchanged, which keeps outputs deterministic.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def transition_shift(local: datetime, zone: ZoneInfo) -> timedelta:
    """How far ``local`` (naive) is from a unique wall time: 0 unless in a gap or a fold.

    Both readings of the wall time (``fold=0`` and ``fold=1``) agree on the offset except
    inside a gap (nonexistent) or a fold (ambiguous); the difference is the transition length.
    """
    early = local.replace(tzinfo=zone, fold=0).utcoffset()
    late = local.replace(tzinfo=zone, fold=1).utcoffset()
    # A ZoneInfo always gives an offset.
    assert early is not None
    assert late is not None
    return abs(late - early)


def unique_wall_time(local: datetime, zone: ZoneInfo) -> datetime:
    """``local`` moved forward past a DST gap or fold, so it names exactly one instant.

    Parameters
    ----------
    local
        Naive local wall time as drawn.
    zone
        The zone whose clock it reads.

    Returns
    -------
    datetime
        The same naive time when it is unique; otherwise the time one transition length later
        (repeated in the theoretical case of back-to-back transitions).
    """
    for _ in range(4):
        shift = transition_shift(local, zone)
        if not shift:
            return local
        local += shift
    raise ValueError(f"{local} has no unique reading in {zone.key} after four shifts")


def is_unique_wall_time(local: datetime, zone: ZoneInfo) -> bool:
    """True when the naive ``local`` exists and is not ambiguous in ``zone``."""
    return not transition_shift(local, zone)
