"""django-ninja In/Out schemas of the customer-master API. Shape only; rules live in services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Schema


class AccountOut(Schema):
    """An account as the API returns it."""

    id: int
    code: str
    name: str
    kind: str
    tier: str
    status: str
    status_reason: str
    grade: str
    potential: Decimal | None
    province: str
    city: str
    district: str
    address: str
    phone: str
    parent_id: int | None
    territory_id: int | None
    merged_into_id: int | None


class AccountCreateIn(Schema):
    """A new account; ``territory_code`` and ``parent_code`` name existing records."""

    code: str
    name: str
    kind: str
    tier: str
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""
    phone: str = ""
    grade: str = ""
    potential: Decimal | None = None
    territory_code: str | None = None
    parent_code: str | None = None


class AccountUpdateIn(Schema):
    """Fields to change; omitted fields keep their value."""

    name: str | None = None
    kind: str | None = None
    tier: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    address: str | None = None
    phone: str | None = None
    grade: str | None = None
    potential: Decimal | None = None
    territory_code: str | None = None


class StatusIn(Schema):
    """A status change with its reason."""

    status: str
    reason: str = ""


class SearchHitOut(Schema):
    """One search result."""

    kind: str
    id: int
    title: str
    subtitle: str
    account_id: int
    score: float


class ContactOut(Schema):
    """A contact as the API returns it."""

    id: int
    code: str
    account_id: int
    name: str
    title: str
    department: str
    specialty: str
    phone: str
    mobile: str
    email: str
    messenger_id: str
    birthday: date | None
    is_key_contact: bool
    consent_email: bool
    consent_sms: bool
    consent_phone: bool
    consent_messenger: bool


class ContactIn(Schema):
    """A new contact or the fields to change."""

    account_id: int | None = None
    name: str | None = None
    title: str | None = None
    department: str | None = None
    specialty: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    messenger_id: str | None = None
    birthday: date | None = None
    is_key_contact: bool | None = None
    notes: str | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_phone: bool | None = None
    consent_messenger: bool | None = None


class ConsumerOut(Schema):
    """A loyalty member; personal fields are ``null`` for pseudonymised viewers."""

    id: int
    card_no: str
    name: str | None
    phone: str | None
    email: str | None
    birth_date: date | None
    gender: str
    birth_year: int | None
    province: str
    city: str
    home_outlet_id: int | None
    registered_on: date | None
    grade: str
    is_erased: bool


class ErasedOut(Schema):
    """The tombstone an erased card became."""

    tombstone: str


class CountOut(Schema):
    """How many members hold one value (``""``: unknown)."""

    value: str
    count: int


class ConsentCountOut(Schema):
    """Members by their current consent for one channel."""

    channel: str
    granted: int
    withdrawn: int
    unknown: int


class ConsumerAggregatesOut(Schema):
    """Loyalty members counted, never listed (what directors and regional managers get)."""

    total: int
    by_region: list[CountOut]
    by_gender: list[CountOut]
    by_age_band: list[CountOut]
    by_consent: list[ConsentCountOut]
