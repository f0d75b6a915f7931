"""Knowledge-base API (mounted at ``/api/v1/field/materials``): search, versions, approval.

Reads follow ``selectors_materials`` (reps see approved, unexpired versions only); approving
and withdrawing are for the approver roles (403 for others). Uploads go through the page,
where the file is checked by content.
"""

# No ``from __future__ import annotations``: ninja reads the live annotations.
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.field import selectors_materials
from pharmacrm.field.models import Material, MaterialStatus, MaterialVersion
from pharmacrm.field.schemas_materials import (
    MaterialDetailOut,
    MaterialOut,
    MaterialStatusIn,
    MaterialVersionOut,
)
from pharmacrm.field.services import materials as material_services

router = Router()


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the API's auth admits only users
    return user


def _material_out(material: Material) -> dict[str, Any]:
    return {
        "id": material.pk,
        "title": material.title,
        "kind": material.kind,
        "therapeutic_area": material.therapeutic_area,
        "product_ids": sorted(p.pk for p in material.products.all()),
    }


def _version_out(version: MaterialVersion) -> dict[str, Any]:
    url = reverse("field-material-version-file", args=[version.pk]) if version.file else None
    return {
        "id": version.pk,
        "number": version.number,
        "status": version.status,
        "expires_on": version.expires_on,
        "approved_by_id": version.approved_by_id,
        "approved_at": version.approved_at,
        "file_url": url,
    }


@router.get("", response=list[MaterialOut], summary="Materials in view")
@paginate(BoundedPagination)
def material_list(
    request: HttpRequest, q: str = "", kind: str = "", therapeutic_area: str = ""
) -> list[dict[str, Any]]:
    """Search titles and text (PDF text included); filter by kind and ATC prefix."""
    rows = selectors_materials.material_list_for(
        user=_user(request), q=q, kind=kind, therapeutic_area=therapeutic_area[:7]
    ).prefetch_related("products")
    return [_material_out(m) for m in rows]


@router.get("/{material_id}", response=MaterialDetailOut, summary="A material with versions")
def material_get(request: HttpRequest, material_id: int) -> dict[str, Any]:
    """A material and the versions the caller may see."""
    user = _user(request)
    material = selectors_materials.material_get_for(user=user, material_id=material_id)
    versions = selectors_materials.material_versions_of(user=user, material=material)
    return {**_material_out(material), "versions": [_version_out(v) for v in versions]}


@router.post(
    "/versions/{version_id}/status", response=MaterialVersionOut, summary="Approve or withdraw"
)
def material_version_status(
    request: HttpRequest, version_id: int, payload: MaterialStatusIn
) -> dict[str, Any]:
    """Approve a draft (earlier approved versions are withdrawn) or withdraw a version."""
    user = _user(request)
    version = selectors_materials.material_version_get_for(user=user, version_id=version_id)
    if not selectors_materials.material_is_approver(user=user):
        raise PermissionDenied(_("Your role does not allow approving materials."))
    if payload.status == MaterialStatus.APPROVED:
        version = material_services.material_version_approve(by=user, version=version)
    elif payload.status == MaterialStatus.WITHDRAWN:
        version = material_services.material_version_withdraw(
            by=user, version=version, reason=payload.reason
        )
    else:
        raise ValidationError({"status": _("Choose approved or withdrawn.")})
    return _version_out(version)
