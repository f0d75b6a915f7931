"""Writes of the core app: role groups, users, API tokens."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.core.models import ApiToken, User
from pharmacrm.core.roles import ROLE_PERMISSIONS, Role


def roles_sync() -> dict[Role, int]:
    """Create each role's group and set its permissions to exactly what ``roles`` lists.

    Idempotent; run after every migrate. Returns the number of permissions per role.
    """
    counts: dict[Role, int] = {}
    all_perms = list(Permission.objects.select_related("content_type"))
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    with transaction.atomic():
        for role, spec in ROLE_PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=role.value)
            perms = (
                all_perms
                if spec.all_permissions
                else [by_name[c] for c in sorted(spec.codenames) if c in by_name]
            )
            group.permissions.set(perms)
            counts[role] = len(perms)
    return counts


def user_create(
    *,
    username: str,
    role: Role,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user holding one role. Administrators also get admin-site access (staff).

    Raises ``ValidationError`` naming the field when the username is taken or invalid.
    """
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            {"username": _("A user named “%(name)s” already exists.") % {"name": username}}
        )
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        group, _created = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    return user


def user_set_role(*, user: User, role: Role) -> User:
    """Replace the user's role groups by ``role``."""
    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        user.is_staff = role == Role.ADMINISTRATOR
        user.save(update_fields=["is_staff"])
    return user


def api_token_create(*, by: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with the raw value, shown to ``by`` once.

    Only administrators create tokens.
    """
    if not by.has_role(Role.ADMINISTRATOR):
        raise PermissionError(_("Only administrators can create API tokens."))
    raw = ApiToken.new_raw()
    token = ApiToken(
        user=user, name=name, prefix=raw[:12], token_hash=ApiToken.hash(raw), created_by=by
    )
    token.full_clean()
    token.save()
    return token, raw


def api_token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    """Revoke a token; it stops working at once and stays listed as revoked."""
    if not by.has_role(Role.ADMINISTRATOR):
        raise PermissionError(_("Only administrators can revoke API tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user behind a raw token, or None; records when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
