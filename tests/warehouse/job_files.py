"""A five-line receipt file with three bad lines, worked by hand, shared by the job tests.

==  ======  =====================================  =========================================
row check   what                                   outcome
==  ======  =====================================  =========================================
1   c1/1    2 × 10.50 of SKU-A at O1               stored
2   c1/2    1 × 4.00 of SKU-B at O1                stored
3   c2/1    ts ``not-a-date``                      quarantined: ts is not a timestamp
4   c3/1    qty ``abc``                            quarantined: qty is not a number
5   c3/2    qty −1 on a line not marked a return   quarantined: negative quantity
==  ======  =====================================  =========================================

So rows read 5 = stored 2 + quarantined 3. The headers are the canonical field names, so the
mapping suggested from them maps every column to its namesake.
"""

from __future__ import annotations

from pathlib import Path

RECEIPTS = (
    "outlet_code,check_id,line_no,ts,card_no,sku_code,qty,unit_price\n"
    "O1,c1,1,2024-03-01 10:00:00,CARD1,SKU-A,2,10.50\n"
    "O1,c1,2,2024-03-01 10:00:00,CARD1,SKU-B,1,4.00\n"
    "O1,c2,1,not-a-date,CARD2,SKU-A,1,10.50\n"
    "O2,c3,1,2024-03-02 09:00:00,,SKU-C,abc,3.00\n"
    "O2,c3,2,2024-03-02 09:00:00,,SKU-A,-1,10.50\n"
)
COLUMNS = ("outlet_code", "check_id", "line_no", "ts", "card_no", "sku_code", "qty", "unit_price")


def receipts_file(folder: Path, name: str = "pos-march.csv") -> Path:
    """Write the file above into ``folder``; return its path."""
    path = folder / name
    path.write_text(RECEIPTS, encoding="utf-8")
    return path
