"""Factories of the territories app: a small Chinese sales geography."""

from __future__ import annotations

from datetime import date

import factory

from pharmacrm.territories.models import Assignment, Territory, TerritoryLevel


class TerritoryFactory(factory.django.DjangoModelFactory):
    """A node; pass ``parent`` to hang it in the tree."""

    class Meta:
        model = Territory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"District {n}")
    level = TerritoryLevel.DISTRICT


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A user covering a node from 2025-01-01, open-ended."""

    class Meta:
        model = Assignment

    starts_on = date(2025, 1, 1)
    ends_on = None
