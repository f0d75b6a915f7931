"""Writes of the field force, split by sub-domain: call plans, visits, tasks."""
