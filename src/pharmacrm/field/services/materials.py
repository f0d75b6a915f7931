"""The knowledge base: materials, their versions, approval, and the rule for visits.

A material (a detail aid, a study reprint, a product image, a key-message text) changes only
by a new version: what a rep showed a customer last year stays what it was. A version starts
as a draft; an administrator, director or regional manager approves it (who and when are
kept) or withdraws it. Approving a version withdraws the material's earlier approved versions,
so only the newest approved content is in use. Only approved versions that have not expired
may be attached to a visit (``material_versions_require_attachable``, called by ``visit_log``).

Uploads are checked by content, not only by name: a PDF must start with ``%PDF-``, an image
must open in Pillow as PNG, JPEG, GIF or WebP, a text must be UTF-8. Text is extracted from
PDFs (pypdf) into ``MaterialVersion.text`` so that search finds words inside them.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from pharmacrm.catalog.models import Product
from pharmacrm.core.models import User
from pharmacrm.field import selectors_materials
from pharmacrm.field.models import Material, MaterialKind, MaterialStatus, MaterialVersion
from pharmacrm.field.services._audit import stamp

logger = logging.getLogger(__name__)

# Upload limit; a detail aid is a few MB, a 200 MB video does not belong in a rep's tablet.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
EXTENSIONS = {
    MaterialKind.PDF: (".pdf",),
    MaterialKind.IMAGE: (".png", ".jpg", ".jpeg", ".gif", ".webp"),
    MaterialKind.TEXT: (".txt",),
}
# Extracted PDF text kept for search: enough for any detail aid, bounded for a 900-page book.
MAX_TEXT_CHARS = 500_000


def _max_bytes() -> int:
    return int(getattr(settings, "FIELD_MATERIAL_MAX_BYTES", DEFAULT_MAX_BYTES))


def _require_editor(by: User) -> None:
    if not selectors_materials.material_is_editor(user=by):
        raise ValidationError({"material": _("Your role does not allow editing materials.")})


def _require_approver(by: User) -> None:
    if not selectors_materials.material_is_approver(user=by):
        raise ValidationError({"status": _("Your role does not allow approving materials.")})


def _pdf_text(data: bytes) -> str:
    if not data.startswith(b"%PDF-"):
        raise ValidationError({"file": _("The file is not a PDF document.")})
    try:
        reader = PdfReader(io.BytesIO(data))
        parts = []
        size = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size >= MAX_TEXT_CHARS:
                break
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        logger.info("unreadable PDF upload: %s", error)
        raise ValidationError({"file": _("The PDF document cannot be read.")}) from None
    return "\n".join(parts)[:MAX_TEXT_CHARS].replace("\x00", "")


def _check_image(data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"file": _("The file is not an image.")}) from None
    if image_format not in IMAGE_FORMATS:
        raise ValidationError({"file": _("Images must be PNG, JPEG, GIF or WebP.")})


def _text_of_file(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig").replace("\x00", "")
    except UnicodeDecodeError:
        raise ValidationError({"file": _("A text file must be UTF-8.")}) from None


def material_content_check(*, kind: str, file: UploadedFile | None, text: str) -> str:
    """Check an upload for ``kind``; return the text to store for search.

    A text material needs ``text`` or a ``.txt`` file; PDF and image materials need a file of
    that type no larger than the limit. Raises ``ValidationError`` naming ``file`` or ``text``.
    """
    if file is None:
        if kind == MaterialKind.TEXT and text.strip():
            return text.strip()
        field = "text" if kind == MaterialKind.TEXT else "file"
        raise ValidationError({field: _("Add the content of the material.")})
    extensions = EXTENSIONS[MaterialKind(kind)]
    name = (file.name or "").lower()
    if not name.endswith(extensions):
        raise ValidationError(
            {
                "file": _("A %(kind)s must be a file ending in %(extensions)s.")
                % {"kind": MaterialKind(kind).label, "extensions": ", ".join(extensions)}
            }
        )
    if file.size is not None and file.size > _max_bytes():
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)s MB.")
                % {"limit": _max_bytes() // (1024 * 1024)}
            }
        )
    file.seek(0)
    data = file.read()
    file.seek(0)
    if kind == MaterialKind.PDF:
        extracted = _pdf_text(data)
        return "\n".join(p for p in (text.strip(), extracted.strip()) if p)
    if kind == MaterialKind.IMAGE:
        _check_image(data)
        return text.strip()
    return _text_of_file(data)


def _add_version(
    *,
    by: User,
    material: Material,
    file: UploadedFile | None,
    text: str,
    expires_on: date | None,
) -> MaterialVersion:
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date is in the past.")})
    stored_text = material_content_check(kind=material.kind, file=file, text=text)
    last = material.versions.aggregate(n=Max("number"))["n"] or 0
    version = MaterialVersion(
        material=material,
        number=last + 1,
        text=stored_text,
        expires_on=expires_on,
        status=MaterialStatus.DRAFT,
    )
    if file is not None:
        version.file = file  # type: ignore[assignment]
    version.full_clean(exclude=["file"])
    stamp(version, by=by)
    version.save()
    return version


def material_create(
    *,
    by: User,
    title: str,
    kind: str,
    therapeutic_area: str = "",
    products: Sequence[Product] = (),
    file: UploadedFile | None = None,
    text: str = "",
    expires_on: date | None = None,
) -> Material:
    """Create a material with its first version (a draft). Audited.

    Raises ``ValidationError`` naming ``material`` when ``by`` may not edit materials, or the
    field of invalid content (``file``, ``text``, ``expires_on``, ``title``); nothing is saved.
    """
    _require_editor(by)
    material = Material(
        title=title.strip(),
        kind=kind,
        therapeutic_area=therapeutic_area.strip().upper(),
        owner=by,
    )
    material.full_clean()
    with transaction.atomic():
        stamp(material, by=by)
        material.save()
        material.products.set(products)
        _add_version(by=by, material=material, file=file, text=text, expires_on=expires_on)
    return material


def material_version_add(
    *,
    by: User,
    material: Material,
    file: UploadedFile | None = None,
    text: str = "",
    expires_on: date | None = None,
) -> MaterialVersion:
    """Add the next version of ``material`` as a draft; earlier versions stay as they are.

    Raises ``ValidationError`` as ``material_create`` does.
    """
    _require_editor(by)
    with transaction.atomic():
        Material.objects.select_for_update().filter(pk=material.pk).first()  # number in order
        return _add_version(by=by, material=material, file=file, text=text, expires_on=expires_on)


def material_version_approve(*, by: User, version: MaterialVersion) -> MaterialVersion:
    """Approve a draft version; earlier approved versions of the material are withdrawn.

    Records who approved and when (audited). Raises ``ValidationError`` naming ``status``
    when ``by``'s role may not approve or the version is not a draft, ``expires_on`` when it
    has expired.
    """
    _require_approver(by)
    if version.status != MaterialStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft can be approved.")})
    if version.expires_on is not None and version.expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The version has expired; upload a new one.")})
    with transaction.atomic():
        superseded = MaterialVersion.objects.filter(
            material_id=version.material_id, status=MaterialStatus.APPROVED
        ).exclude(pk=version.pk)
        for old in superseded:
            old.status = MaterialStatus.WITHDRAWN
            stamp(old, by=by, reason=_("Superseded by version %(n)s") % {"n": version.number})
            old.save(update_fields=["status"])
        version.status = MaterialStatus.APPROVED
        version.approved_by = by
        version.approved_at = timezone.now()
        stamp(version, by=by)
        version.save(update_fields=["status", "approved_by", "approved_at"])
    return version


def material_version_withdraw(
    *, by: User, version: MaterialVersion, reason: str = ""
) -> MaterialVersion:
    """Withdraw a draft or approved version: it can no longer be attached. Audited.

    Raises ``ValidationError`` naming ``status`` when ``by``'s role may not, or it is withdrawn.
    """
    _require_approver(by)
    if version.status == MaterialStatus.WITHDRAWN:
        raise ValidationError({"status": _("The version is withdrawn already.")})
    version.status = MaterialStatus.WITHDRAWN
    stamp(version, by=by, reason=reason.strip())
    version.save(update_fields=["status"])
    return version


def material_versions_require_attachable(*, versions: Sequence[MaterialVersion], on: date) -> None:
    """Refuse versions that are not approved or have expired by ``on`` (a visit's local date).

    Raises ``ValidationError`` naming ``materials`` with the refused titles.
    """
    if not versions:
        return
    allowed = set(
        selectors_materials.material_versions_attachable(on=on)
        .filter(pk__in=[v.pk for v in versions])
        .values_list("pk", flat=True)
    )
    refused = [str(v) for v in versions if v.pk not in allowed]
    if refused:
        raise ValidationError(
            {
                "materials": _(
                    "Only approved, unexpired material can be shown: %(materials)s is not."
                )
                % {"materials": ", ".join(refused)}
            }
        )


def material_versions_resolve(*, by: User, ids: Sequence[int]) -> list[MaterialVersion]:
    """The versions ``ids`` as ``by`` sees them, for attaching to a visit by id (API, sync).

    An id ``by`` cannot see (a draft, for a rep) is refused like one that does not exist, so
    ids reveal nothing. Raises ``ValidationError`` naming ``materials``.
    """
    wanted = sorted(set(ids))
    found = list(selectors_materials.material_versions_visible_to(user=by).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({"materials": _("Only approved, unexpired material can be shown.")})
    return found
