"""Write an Excel workbook of N accounts, shaped like a distributor's customer list (issue 5 bench).

Usage::

    .venv/bin/python bench/customer_master/make_accounts_xlsx.py --rows 100000 \
        --out var/bench-cm/accounts_100k.xlsx

One sheet, a header row and ``--rows`` accounts with the columns a trade file carries: code,
name, kind, parent (chain) code, region, province, city, district, address, postcode, phone,
status, grade. Regions are the 310 district codes of ``load.py``'s tree (``P00-D00`` …), so
the import resolves every row to a leaf territory; 1 % of the rows are pharmacy chains and
half of the pharmacies name one of them as parent, so parent resolution inside one file is
part of the measurement. Written with openpyxl's write-only mode (what the app uses to write).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from openpyxl import Workbook

BRANDS = [
    "Tongrentang", "Yifeng", "Dashenlin", "Laobaixing", "Yixintang", "Jianzhijia", "Haiwang",
    "Xinxing", "Baixing", "Kangfu", "Huaren", "Renmin", "Zhongshan", "Jinxiang", "Yongan",
    "Shoukang", "Rigla", "Apteka", "Zdorovie", "Neofarm", "Boots", "Lloyds", "Wellcare",
]  # fmt: skip
KINDS = ["pharmacy"] * 7 + ["hospital", "clinic", "distributor"]
HEADER = [
    "code", "name", "kind", "parent_code", "region", "province", "city", "district", "address",
    "postcode", "phone", "status", "grade",
]  # fmt: skip


def main() -> None:
    """Write the workbook."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    chains = [f"XL-CHAIN-{i:04d}" for i in range(args.rows // 100)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("accounts")
    sheet.append(HEADER)
    for chain_no, code in enumerate(chains):
        p, d = chain_no % 31, chain_no % 10
        brand = BRANDS[chain_no % len(BRANDS)]
        sheet.append(
            [code, f"{brand} Pharmacy Chain {chain_no}", "pharmacy_chain", "", f"P{p:02d}-D{d:02d}",
             f"Province {p:02d}", f"City {p:02d}", f"District {p:02d}-{d:02d}",
             f"{chain_no + 1} Headquarters Road", f"{100000 + chain_no}", "+86 10 6500 0000",
             "active", "A"]
        )  # fmt: skip
    for i in range(args.rows - len(chains)):
        p, d = (i // 10) % 31, i % 10
        kind = KINDS[i % len(KINDS)]
        parent = rng.choice(chains) if kind == "pharmacy" and i % 2 == 0 else ""
        brand = BRANDS[rng.randrange(len(BRANDS))]
        sheet.append(
            [f"XL-{i:07d}", f"{brand} {kind.capitalize()} {p:02d}-{d:02d} No {i}", kind, parent,
             f"P{p:02d}-D{d:02d}", f"Province {p:02d}", f"City {p:02d}",
             f"District {p:02d}-{d:02d}", f"{rng.randrange(1, 999)} Main Street",
             f"{100000 + rng.randrange(899999)}", f"+86 10 {rng.randrange(10**7, 10**8)}",
             rng.choice(["active", "active", "active", "prospect", "dormant"]),
             rng.choice(["S", "A", "B", "C", ""])]
        )  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    book.save(args.out)
    print(f"wrote {args.rows} accounts to {args.out}")


if __name__ == "__main__":
    main()
