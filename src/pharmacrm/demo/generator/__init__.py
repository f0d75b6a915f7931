"""Synthetic pharma business generator with ground truth (``pharmacrm generate``).

Entry point: :func:`pharmacrm.demo.generator.run.generate`. The package is pure (NumPy, PyArrow,
Faker, openpyxl; no Django) so tests, benchmarks and the demo loader can call it directly.
Layout of the output and every column: ``pharmacrm/demo/FORMATS.md``; the behavioural model:
``pharmacrm/demo/MODEL.md``.
"""
