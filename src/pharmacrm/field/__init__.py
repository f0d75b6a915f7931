"""The field force: call plans, visits and tasks of the sales reps (issue 9)."""
