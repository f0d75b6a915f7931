"""Factories of the field tests: graded accounts and contacts through the services."""

from __future__ import annotations

from itertools import count
from typing import Any

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account, Contact

_codes = count(1)


def account(**fields: Any) -> Account:
    """A grade B terminal pharmacy in Beijing unless told otherwise."""
    values: dict[str, Any] = {
        "code": f"F{next(_codes):05d}",
        "name": "Tongrentang Pharmacy",
        "kind": "pharmacy",
        "tier": "terminal",
        "grade": "B",
        "province": "Beijing",
        "city": "Beijing",
    }
    values.update(fields)
    return account_services.account_create(by=None, **values)


def hospital(**fields: Any) -> Account:
    """A grade S tertiary hospital department."""
    values: dict[str, Any] = {
        "name": "Peking Union Medical College Hospital, Cardiology",
        "kind": "hospital",
        "tier": "terminal",
        "grade": "S",
        "hospital_grade": "3A",
        "beds": 2000,
    }
    values.update(fields)
    return account(**values)


def contact(**fields: Any) -> Contact:
    """A department head at the given account."""
    values: dict[str, Any] = {
        "name": "Zhang Wei",
        "title": "Head of department",
        "specialty": "Cardiology",
    }
    values.update(fields)
    return account_services.contact_create(by=None, **values)
