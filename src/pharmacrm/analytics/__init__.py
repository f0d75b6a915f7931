"""Customer analytics as pure functions over Ibis tables (DESIGN.md, Analytics definitions).

Every function takes Ibis table expressions and returns an unexecuted one; the engine
(DuckDB or PySpark) is chosen by :func:`pharmacrm.analytics.engine.connect`. Nothing here
imports Django, does I/O or reads the clock: the observation date is always ``as_of``.
"""
