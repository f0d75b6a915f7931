"""Factories of the customer master, with realistic pharma names.

They go through the services (not ``Model.objects.create``) so search keys and audit entries
exist exactly as in production.
"""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account, Consumer, Contact

_codes = count(1)


def account(**fields: Any) -> Account:
    """A terminal pharmacy unless told otherwise."""
    values: dict[str, Any] = {
        "code": f"A{next(_codes):05d}",
        "name": "Tongrentang Pharmacy",
        "kind": "pharmacy",
        "tier": "terminal",
        "province": "Beijing",
        "city": "Beijing",
    }
    values.update(fields)
    return account_services.account_create(by=values.pop("by", None), **values)


def contact(**fields: Any) -> Contact:
    """A pharmacist at the given account."""
    values: dict[str, Any] = {"name": "Wang Fang", "title": "Head pharmacist"}
    values.update(fields)
    return account_services.contact_create(by=values.pop("by", None), **values)


def consumer(**fields: Any) -> Consumer:
    """A loyalty member registered in 2024."""
    values: dict[str, Any] = {
        "card_no": f"C{next(_codes):08d}",
        "name": "Li Na",
        "phone": "+86 138 0013 8000",
        "email": "li.na@example.cn",
        "gender": "F",
        "birth_year": 1986,
        "birth_date": date(1986, 4, 12),
        "city": "Beijing",
        "registered_on": date(2024, 3, 1),
    }
    values.update(fields)
    created, _new = account_services.consumer_upsert(by=values.pop("by", None), **values)
    return created
