"""Reads of the knowledge base: which materials and versions a user sees, search, attachables.

Who sees what: the people who make and approve material (administrator, director, regional
manager, campaign manager) see every material and every version, drafts and withdrawn ones
included. Everyone else (reps first of all) sees only versions that are approved and not
expired today, and only materials that have one: a rep must not show a customer a draft.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.models import Material, MaterialStatus, MaterialVersion

# Roles that create materials and upload versions (marketing and medical managers).
MATERIAL_EDITORS = frozenset(
    {Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER, Role.CAMPAIGN_MANAGER}
)
# Roles that approve or withdraw a version: the people DESIGN.md gives approvals to.
MATERIAL_APPROVERS = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER})


def material_is_editor(*, user: User) -> bool:
    """True when ``user`` may create materials and upload versions (and sees drafts)."""
    return user.is_authenticated and user.is_active and bool(user.roles & MATERIAL_EDITORS)


def material_is_approver(*, user: User) -> bool:
    """True when ``user`` may approve or withdraw versions."""
    return user.is_authenticated and user.is_active and bool(user.roles & MATERIAL_APPROVERS)


def material_versions_attachable(*, on: date) -> QuerySet[MaterialVersion]:
    """Versions that may be shown to a customer on ``on``: approved and not expired.

    A version expiring on ``on`` may still be used that day.
    """
    return (
        MaterialVersion.objects.filter(status=MaterialStatus.APPROVED)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .select_related("material")
        .order_by("material__title", "material_id", "-number")
    )


def material_versions_visible_to(
    *, user: User, on: date | None = None
) -> QuerySet[MaterialVersion]:
    """The versions ``user`` may see (module docstring)."""
    if not user.is_authenticated or not user.is_active:
        return MaterialVersion.objects.none()
    if material_is_editor(user=user):
        return MaterialVersion.objects.select_related("material").order_by("material_id", "-number")
    return material_versions_attachable(on=on or timezone.localdate())


def material_list_for(
    *,
    user: User,
    q: str = "",
    kind: str = "",
    status: str = "",
    product_id: int | None = None,
    therapeutic_area: str = "",
    on: date | None = None,
) -> QuerySet[Material]:
    """Materials ``user`` may see, narrowed by search and filters, by title.

    ``q``: every word must occur in the title or in the text of a version the user sees
    (PDF text is extracted on upload). ``status``: materials with a version in that status.
    ``therapeutic_area``: an ATC prefix (``C10`` finds ``C10AA``).
    """
    versions = material_versions_visible_to(user=user, on=on)
    rows = Material.objects.filter(Exists(versions.filter(material=OuterRef("pk"))))
    for word in q.split():
        rows = rows.filter(
            Q(title__icontains=word)
            | Exists(versions.filter(material=OuterRef("pk"), text__icontains=word))
        )
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(Exists(versions.filter(material=OuterRef("pk"), status=status)))
    if product_id is not None:
        rows = rows.filter(products__pk=product_id)
    if therapeutic_area:
        rows = rows.filter(therapeutic_area__istartswith=therapeutic_area.strip())
    return rows.select_related("owner").order_by("title", "pk")


def material_get_for(*, user: User, material_id: int) -> Material:
    """The material if ``user`` may see it; ``Http404`` otherwise (existence not revealed)."""
    material = material_list_for(user=user).filter(pk=material_id).first()
    if material is None:
        raise Http404(_("No such material."))
    return material


def material_version_get_for(*, user: User, version_id: int) -> MaterialVersion:
    """The version if ``user`` may see it; ``Http404`` otherwise."""
    version = material_versions_visible_to(user=user).filter(pk=version_id).first()
    if version is None:
        raise Http404(_("No such material version."))
    return version


def material_versions_of(*, user: User, material: Material) -> QuerySet[MaterialVersion]:
    """The versions of ``material`` that ``user`` sees, newest first."""
    return (
        material_versions_visible_to(user=user)
        .filter(material=material)
        .select_related("approved_by")
        .order_by("-number")
    )
