"""The tabular import kit every import uses (DESIGN.md, Layout: ``core``).

Pure Python plus PyArrow, Polars, python-calamine, openpyxl and charset-normalizer — no Django —
so the warehouse fact import, the master-data import and the command line share one way of
reading files, mapping columns, coercing values and quarantining bad rows:

* :mod:`.sniff` — encoding, delimiter and layout detection;
* :mod:`.readers` — streaming batches of raw (string) columns from CSV, whitespace-separated
  text, Excel (xlsx/xls through calamine) and Parquet, each row numbered in its source;
* :mod:`.fields` and :mod:`.mapping` — canonical fields, source → field mappings, header
  suggestions in English, Chinese and Russian;
* :mod:`.coerce` — vectorised validation that reports *every* reason of a bad row;
* :mod:`.quarantine` — bad rows to CSV/XLSX that can be corrected and imported again;
* :mod:`.registry` — import kinds (``pharmacrm import KIND``) and named adapters (``--mapping``).
"""
