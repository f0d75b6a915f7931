"""Writes of the customer master: accounts, documents, relations, contacts, consumers.

Every service takes the acting user (``by``, ``None`` for system jobs) so the audit trail
(django-simple-history) knows who changed what, runs ``full_clean()`` before saving and keeps
each multi-row write in one transaction. Upserts change nothing — and write no audit entry —
when the incoming values equal the stored ones, so re-running an import adds nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.accounts.models import (
    STATUS_TRANSITIONS,
    Account,
    AccountRelation,
    AccountStatus,
    Channel,
    Consumer,
    ConsumerConsent,
    Contact,
    QualificationDocument,
)
from pharmacrm.accounts.search import search_key
from pharmacrm.core.models import User
from pharmacrm.territories import selectors as territory_selectors

# Fields a person may edit on the account form or set through the API and imports; status
# has its own service (transitions), merge fields are the merge's own.
ACCOUNT_FIELDS = (
    "name", "kind", "tier", "parent", "province", "city", "district", "address", "postcode",
    "phone", "grade", "potential", "territory", "hospital_grade", "beds", "departments",
)  # fmt: skip
CONTACT_FIELDS = (
    "account", "name", "title", "department", "specialty", "phone", "mobile", "email",
    "messenger_id", "birthday", "is_key_contact", "notes", "consent_email", "consent_sms",
    "consent_phone", "consent_messenger",
)  # fmt: skip
CONSUMER_FIELDS = (
    "name", "phone", "email", "gender", "birth_year", "birth_date", "province", "city",
    "home_outlet", "registered_on", "grade",
)  # fmt: skip


def _save(obj: models.Model, *, by: User | None, reason: str = "") -> None:
    obj.full_clean()
    obj._history_user = by  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save()


def _apply(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set the given attributes; True when any differs from what is stored."""
    changed = False
    for name, value in values.items():
        field = obj._meta.get_field(name)
        attname = field.attname  # type: ignore[union-attr]
        new = value.pk if isinstance(value, models.Model) else value
        if getattr(obj, attname) != new:
            setattr(obj, name, value)
            changed = True
    return changed


def account_search_key(account: Account) -> str:
    """The normalised text the typo-tolerant search matches an account by."""
    return search_key(account.name, account.code, account.city, account.district)


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueError(f"not editable here: {', '.join(unknown)}")
    return fields


# --- accounts -----------------------------------------------------------------------------


def account_create(
    *, by: User | None, code: str, name: str, kind: str, tier: str, **fields: Any
) -> Account:
    """Create an account (status ``prospect`` unless ``status`` is given).

    ``fields`` are any of ``ACCOUNT_FIELDS`` plus ``status``/``status_reason``. Raises
    ``ValidationError`` naming the field, e.g. a code that already exists.
    """
    status = fields.pop("status", AccountStatus.PROSPECT)
    reason = fields.pop("status_reason", "")
    _only(fields, ACCOUNT_FIELDS)
    account = Account(code=code.strip(), name=name.strip(), kind=kind, tier=tier, status=status)
    account.status_reason = reason
    _apply(account, fields)
    account.search_key = account_search_key(account)
    _save(account, by=by)
    return account


def account_upsert_by_code(
    *, by: User | None, code: str, name: str, kind: str, tier: str, **fields: Any
) -> tuple[Account, bool]:
    """Create the account with external ``code`` or update the fields given.

    The import door: fields not passed keep their stored value, equal values write nothing.
    ``fields`` are any of ``ACCOUNT_FIELDS`` (``parent`` and ``territory`` as instances or
    ``None``) plus ``status`` for new accounts. Returns ``(account, created)``.
    """
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(code=code.strip()).first()
        if account is None:
            return account_create(by=by, code=code, name=name, kind=kind, tier=tier, **fields), True
        fields.pop("status", None)
        fields.pop("status_reason", None)
        values = {"name": name.strip(), "kind": kind, "tier": tier, **_only(fields, ACCOUNT_FIELDS)}
        if _apply(account, values):
            account.search_key = account_search_key(account)
            _save(account, by=by)
        return account, False


def account_update(*, by: User | None, account: Account, **fields: Any) -> Account:
    """Change editable fields of an account (``ACCOUNT_FIELDS``); audited when anything changed."""
    if _apply(account, _only(fields, ACCOUNT_FIELDS)):
        account.search_key = account_search_key(account)
        _save(account, by=by)
    return account


def account_status_change(
    *, by: User | None, account: Account, status: str, reason: str = "", on: date | None = None
) -> Account:
    """Move an account along its life cycle (``STATUS_TRANSITIONS``).

    Dormant and terminated need a reason. Raises ``ValidationError`` on ``status`` when the
    move is not allowed from the current status.
    """
    if status not in STATUS_TRANSITIONS.get(account.status, frozenset()):
        raise ValidationError(
            {
                "status": _("An account cannot go from %(old)s to %(new)s.")
                % {
                    "old": AccountStatus(account.status).label,
                    "new": AccountStatus(status).label if status in AccountStatus else status,
                }
            }
        )
    account.status = status
    account.status_reason = reason.strip()
    account.status_changed_on = on or timezone.localdate()
    _save(account, by=by, reason=account.status_reason)
    return account


def _move_references(*, survivor: Account, duplicate: Account) -> dict[str, int]:
    """Point every foreign key that references ``duplicate`` at ``survivor``.

    Walks the model graph instead of a fixed list, so references added by later apps
    (visits, call plans, opportunities …) move too. Audit tables are left alone: they record
    what was true then. Returns the number of rows moved per ``app_label.model.field``.
    """
    moved: dict[str, int] = {}
    for relation in Account._meta.related_objects:
        model = relation.related_model
        if model in (AccountRelation,) or model.__name__.startswith("Historical"):
            continue
        if not relation.one_to_many or relation.field.name == "merged_into":
            continue
        field = relation.field
        rows = model._default_manager.filter(**{field.name: duplicate})
        if model is Account and field.name == "parent":
            rows = rows.exclude(pk=survivor.pk)
        count = 0
        for row in rows:
            setattr(row, field.name, survivor)
            row._history_user = None  # type: ignore[attr-defined]
            row._change_reason = f"merge of {duplicate.code} into {survivor.code}"  # type: ignore[attr-defined]
            row.save(update_fields=[field.name])
            count += 1
        if count:
            moved[f"{model._meta.label}.{field.name}"] = count
    return moved


def _move_relations(*, survivor: Account, duplicate: Account) -> int:
    moved = 0
    for relation in AccountRelation.objects.filter(from_account=duplicate):
        target = relation.to_account
        if (
            target.pk == survivor.pk
            or AccountRelation.objects.filter(
                from_account=survivor, to_account=target, kind=relation.kind
            ).exists()
        ):
            relation.delete()
            continue
        relation.from_account = survivor
        relation.save(update_fields=["from_account"])
        moved += 1
    for relation in AccountRelation.objects.filter(to_account=duplicate):
        source = relation.from_account
        if (
            source.pk == survivor.pk
            or AccountRelation.objects.filter(
                from_account=source, to_account=survivor, kind=relation.kind
            ).exists()
        ):
            relation.delete()
            continue
        relation.to_account = survivor
        relation.save(update_fields=["to_account"])
        moved += 1
    return moved


def account_merge(
    *, by: User | None, survivor: Account, duplicate: Account, on: date | None = None
) -> dict[str, int]:
    """Merge ``duplicate`` into ``survivor``: every reference moves, nothing is deleted.

    Contacts, outlets (children), documents, consumers' home outlet, relations (a relation
    the survivor already has is dropped rather than doubled) and any other app's foreign
    keys move to the survivor. The duplicate stays as a terminated record pointing at the
    survivor (``merged_into``): its audit trail survives and analytics use it as the id alias
    map. Returns the moved row counts by field.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("Choose two different accounts to merge.")})
    if duplicate.merged_into_id is not None:
        raise ValidationError(
            {"duplicate": _("%(account)s was already merged.") % {"account": duplicate.name}}
        )
    with transaction.atomic():
        survivor = Account.objects.select_for_update().get(pk=survivor.pk)
        duplicate = Account.objects.select_for_update().get(pk=duplicate.pk)
        # A document the survivor already holds (same kind and number) is the same paper.
        QualificationDocument.objects.filter(
            account=duplicate,
            kind__in=survivor.documents.values("kind"),
            number__in=survivor.documents.values("number"),
        ).filter(
            pk__in=[
                d.pk
                for d in duplicate.documents.all()
                if survivor.documents.filter(kind=d.kind, number=d.number).exists()
            ]
        ).delete()
        moved = _move_references(survivor=survivor, duplicate=duplicate)
        moved["accounts.AccountRelation"] = _move_relations(survivor=survivor, duplicate=duplicate)
        # Accounts that were merged into the duplicate earlier now alias the survivor.
        Account.objects.filter(merged_into=duplicate).update(merged_into=survivor)
        duplicate.merged_into = survivor
        duplicate.status = AccountStatus.TERMINATED
        duplicate.status_reason = _("Merged into %(code)s") % {"code": survivor.code}
        duplicate.status_changed_on = on or timezone.localdate()
        _save(duplicate, by=by, reason=duplicate.status_reason)
    return moved


# --- documents and relations ---------------------------------------------------------------


def qualification_document_upsert(
    *,
    by: User | None,
    account: Account,
    kind: str,
    number: str,
    issued_on: date | None = None,
    expires_on: date | None = None,
    notes: str = "",
) -> tuple[QualificationDocument, bool]:
    """Record a licence or contract of ``account`` (natural key: account, kind, number)."""
    with transaction.atomic():
        document = QualificationDocument.objects.filter(
            account=account, kind=kind, number=number.strip()
        ).first()
        created = document is None
        if document is None:
            document = QualificationDocument(account=account, kind=kind, number=number.strip())
        changed = _apply(
            document, {"issued_on": issued_on, "expires_on": expires_on, "notes": notes}
        )
        if created or changed:
            _save(document, by=by)
        return document, created


def _reminder_recipients(document: QualificationDocument, on: date) -> list[str]:
    account = document.account
    users: list[User] = []
    if account.territory_id is not None:
        users = territory_selectors.users_covering(territory_id=account.territory_id, on=on)
    emails = sorted({u.email for u in users if u.email})
    if emails:
        return emails
    fallback = getattr(settings, "QUALIFICATION_REMINDER_EMAILS", ())
    if fallback:
        return list(fallback)
    admins = User.objects.filter(is_active=True, groups__name="administrator").exclude(email="")
    return sorted({u.email for u in admins})


def qualification_reminders_send(*, on: date, days_before: int = 30) -> int:
    """E-mail a reminder for every document expiring within ``days_before`` days of ``on``.

    Recipients: the users covering the account's territory on ``on`` (its rep and
    managers); when nobody does, ``settings.QUALIFICATION_REMINDER_EMAILS`` or the
    administrators. Each expiry date is reminded once (``reminded_for``), so the daily job
    may run any number of times. Returns the number of e-mails sent.
    """
    due = (
        QualificationDocument.objects.select_related("account")
        .filter(expires_on__gte=on, expires_on__lte=on + timedelta(days=days_before))
        .exclude(reminded_for=models.F("expires_on"))
        .order_by("expires_on", "pk")
    )
    sent = 0
    for document in due:
        recipients = _reminder_recipients(document, on)
        if not recipients:
            continue
        days = (document.expires_on - on).days  # type: ignore[operator]
        context = {
            "document": document.get_kind_display(),
            "number": document.number,
            "account": document.account.name,
            "code": document.account.code,
            "expires_on": document.expires_on.isoformat(),  # type: ignore[union-attr]
            "days": days,
        }
        subject = _("%(document)s of %(account)s expires on %(expires_on)s") % context
        body = (
            _(
                "The %(document)s no. %(number)s of %(account)s (%(code)s) expires on "
                "%(expires_on)s, in %(days)s days. Please collect the renewed document."
            )
            % context
        )
        send_mail(subject, body, None, recipients)
        QualificationDocument.objects.filter(pk=document.pk).update(
            reminded_for=document.expires_on
        )
        sent += 1
    return sent


def account_relation_add(
    *, by: User | None, from_account: Account, to_account: Account, kind: str, note: str = ""
) -> AccountRelation:
    """Add a typed edge ``from_account → to_account``; an existing identical edge is returned."""
    existing = AccountRelation.objects.filter(
        from_account=from_account, to_account=to_account, kind=kind
    ).first()
    if existing is not None:
        return existing
    if from_account.pk == to_account.pk:
        raise ValidationError({"to_account": _("An account cannot be related to itself.")})
    relation = AccountRelation(
        from_account=from_account, to_account=to_account, kind=kind, note=note
    )
    _save(relation, by=by)
    return relation


def account_relation_remove(*, by: User | None, relation: AccountRelation) -> None:
    """Delete an edge (the audit keeps it)."""
    relation._history_user = by  # type: ignore[attr-defined]
    relation.delete()


# --- contacts ------------------------------------------------------------------------------


def contact_search_key(contact: Contact) -> str:
    """The normalised text the typo-tolerant search matches a contact by."""
    return search_key(contact.name, contact.department, contact.specialty, contact.title)


def contact_create(*, by: User | None, account: Account, name: str, **fields: Any) -> Contact:
    """Create a contact at ``account`` (``fields``: any of ``CONTACT_FIELDS`` and ``code``)."""
    code = fields.pop("code", "")
    contact = Contact(account=account, name=name.strip(), code=code)
    _apply(contact, _only(fields, CONTACT_FIELDS))
    contact.search_key = contact_search_key(contact)
    _save(contact, by=by)
    return contact


def contact_update(*, by: User | None, contact: Contact, **fields: Any) -> Contact:
    """Change a contact's fields (``CONTACT_FIELDS``); audited when anything changed."""
    if _apply(contact, _only(fields, CONTACT_FIELDS)):
        contact.search_key = contact_search_key(contact)
        _save(contact, by=by)
    return contact


def contact_upsert(
    *, by: User | None, account: Account, name: str, code: str = "", **fields: Any
) -> tuple[Contact, bool]:
    """Create or update a contact; the key is ``code`` when given, else (account, name).

    The import door: fields not passed keep their stored value. Returns ``(contact, created)``.
    """
    with transaction.atomic():
        rows = Contact.objects.select_for_update()
        if code:
            contact = rows.filter(code=code).first()
        else:
            contact = rows.filter(account=account, name=name.strip()).order_by("pk").first()
        if contact is None:
            return contact_create(by=by, account=account, name=name, code=code, **fields), True
        contact_update(by=by, contact=contact, account=account, name=name.strip(), **fields)
        return contact, False


# --- consumers -----------------------------------------------------------------------------


def consumer_upsert(*, by: User | None, card_no: str, **fields: Any) -> tuple[Consumer, bool]:
    """Create or update the loyalty member with ``card_no`` (``fields``: ``CONSUMER_FIELDS``).

    Fields not passed keep their stored value; equal values write nothing. Returns
    ``(consumer, created)``.
    """
    card_no = card_no.strip()
    if not card_no:
        raise ValidationError({"card_no": _("A consumer needs a card number.")})
    with transaction.atomic():
        consumer = Consumer.objects.select_for_update().filter(card_no=card_no).first()
        created = consumer is None
        if consumer is None:
            consumer = Consumer(card_no=card_no)
        if _apply(consumer, _only(fields, CONSUMER_FIELDS)) or created:
            _save(consumer, by=by)
        return consumer, created


def consumer_consent_set(
    *,
    by: User | None,
    consumer: Consumer,
    channel: str,
    granted: bool,
    at: datetime,
    source: str,
) -> ConsumerConsent:
    """Record that ``consumer`` gave (or withdrew) consent for ``channel`` at ``at`` via ``source``.

    The newest statement wins; an older one arriving later (a delayed import) is ignored.
    The audit trail of consents keeps every statement.
    """
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel %(channel)s.") % {"channel": channel}})
    with transaction.atomic():
        consent = (
            ConsumerConsent.objects.select_for_update()
            .filter(consumer=consumer, channel=channel)
            .first()
        )
        if consent is not None and consent.at > at:
            return consent
        if consent is None:
            consent = ConsumerConsent(consumer=consumer, channel=channel, granted=granted, at=at)
            consent.source = source
        elif not _apply(consent, {"granted": granted, "at": at, "source": source}):
            return consent
        consent.granted = granted
        consent.at = at
        consent.source = source
        _save(consent, by=by)
        return consent


def consumer_tombstone(card_no: str) -> str:
    """The id an erased card becomes, everywhere (OLTP and warehouse partitions).

    A hash keeps it stable (the warehouse rewrite and the OLTP agree without talking) but
    is salted with the installation's secret so nobody can test a guessed card number.
    """
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{card_no}".encode()).hexdigest()
    return f"erased-{digest[:20]}"


def consumer_erase(*, by: User | None, consumer: Consumer, at: datetime | None = None) -> str:
    """Erase a person: remove personal data everywhere we hold it, keep the aggregates.

    Name, phone, e-mail and birth date are emptied and the card number becomes a tombstone
    — in the record *and in its audit trail*, which would otherwise still hold them.
    Gender, birth year, region, home outlet, registration date, grade and consents (without
    anything identifying) stay, so counts and mixes do not change. Returns the tombstone,
    which the warehouse uses to rewrite the partitions that hold the old card.
    """
    tombstone = consumer_tombstone(consumer.card_no)
    personal = {"name": "", "phone": "", "email": "", "birth_date": None}
    with transaction.atomic():
        consumer.history.all().update(card_no=tombstone, **personal)  # type: ignore[attr-defined]
        for name, value in personal.items():
            setattr(consumer, name, value)
        consumer.card_no = tombstone
        consumer.erased_at = at or timezone.now()
        _save(consumer, by=by, reason="erasure")
        consumer.history.filter(history_type="~").update(  # type: ignore[attr-defined]
            card_no=tombstone, **personal
        )
    return tombstone
