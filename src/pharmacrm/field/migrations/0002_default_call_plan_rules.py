"""Default call-plan rules, so a fresh installation plans visits before anyone configures them.

Visits a month by grade for terminal accounts, as in the issue: a grade S hospital 4 a month,
grade A 2, grade B pharmacy 1; distributors (downstream) are seen less often.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# (grade, tier, kind, visits a month, in person, phone, remote, messenger)
DEFAULT_RULES = [
    ("S", "terminal", "hospital", 4, 3, 0, 1, 0),
    ("S", "terminal", "", 3, 2, 1, 0, 0),
    ("A", "terminal", "hospital", 2, 2, 0, 0, 0),
    ("A", "terminal", "", 2, 1, 1, 0, 0),
    ("B", "terminal", "", 1, 1, 0, 0, 0),
    ("C", "terminal", "", 0, 0, 0, 0, 0),
    ("S", "downstream", "", 2, 1, 1, 0, 0),
    ("A", "downstream", "", 1, 1, 0, 0, 0),
    ("B", "downstream", "", 1, 0, 1, 0, 0),
]


def add_rules(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    rule = apps.get_model("field", "CallPlanRule")
    for grade, tier, kind, per_month, in_person, phone, remote, messenger in DEFAULT_RULES:
        rule.objects.update_or_create(
            grade=grade,
            tier=tier,
            kind=kind,
            defaults={
                "visits_per_month": per_month,
                "in_person_goal": in_person,
                "phone_goal": phone,
                "remote_goal": remote,
                "messenger_goal": messenger,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("field", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
