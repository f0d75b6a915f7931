"""Small receipt files and their mapping, shared by the warehouse tests."""

from __future__ import annotations

from pathlib import Path

from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.readers import ReadOptions

RECEIPT_MAPPING = ColumnMapping(
    columns={"outlet_code": "outlet", "check_id": "check", "line_no": "line", "ts": "ts",
             "card_no": "card", "sku_code": "sku", "qty": "qty", "unit_price": "price"},
    source="pos-a", read=ReadOptions(block_bytes=64 * 1024),
)  # fmt: skip


def receipt_csv(path: Path, lines: int, *, first_check: int = 0) -> Path:
    """``lines`` receipt lines, 3 per check, in March and April 2024 (UTC)."""
    rows = ["outlet,check,line,ts,card,sku,qty,price"]
    for index in range(lines):
        check = first_check + index // 3
        month = 3 + index % 2
        rows.append(
            f"OUT{check % 7},{check},{index % 3 + 1},2024-0{month}-{1 + index % 28:02d} 10:00:00,"
            f"C{check % 50},SKU{index % 40},{1 + index % 3},{2.5 + index % 5}"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
