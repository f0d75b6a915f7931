"""Knowledge base: versions, approval by role, expiry, content checks, search, visits, pages, API.

The PDF is written by hand below (one page, Helvetica, the sentence "Atorvastatin lowers LDL
cholesterol"), so the text pypdf must find is known from outside our code.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors_materials
from pharmacrm.field.models import Material, MaterialStatus, MaterialVersion, Visit
from pharmacrm.field.services import materials as material_services
from pharmacrm.field.services import visits as visit_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

SENTENCE = "Atorvastatin lowers LDL cholesterol"


def _pdf(text: str) -> bytes:
    """A minimal valid one-page PDF 1.4 showing ``text``, with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def marketing(world: World):  # noqa: ANN201
    """A campaign manager: makes materials, cannot approve them."""
    return core_services.user_create(
        username="marketing", role=Role.CAMPAIGN_MANAGER, email="mkt@pharma.test"
    )


@pytest.fixture
def statin_aid(marketing) -> Material:  # noqa: ANN001
    """A PDF detail aid (draft v1) by marketing."""
    return material_services.material_create(
        by=marketing,
        title="Lipitor detail aid",
        kind="pdf",
        therapeutic_area="c10",
        file=SimpleUploadedFile("lipitor.pdf", _pdf(SENTENCE), "application/pdf"),
        expires_on=timezone.localdate() + timedelta(days=10),
    )


def test_pdf_text_is_extracted_and_the_first_version_is_a_draft(statin_aid):
    version = MaterialVersion.objects.get(material=statin_aid)

    assert (version.number, version.status, version.approved_by) == (1, "draft", None)
    assert SENTENCE in version.text
    assert statin_aid.therapeutic_area == "C10"
    assert version.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("kind", "name", "content", "field", "message"),
    [
        ("pdf", "aid.pdf", b"just text", "file", "The file is not a PDF document."),
        ("pdf", "aid.docx", b"%PDF-1.4", "file", "A PDF document must be a file ending in .pdf."),
        ("image", "logo.png", b"GIF89a not really", "file", "The file is not an image."),
        ("text", "notes.txt", "Текст".encode("cp1251"), "file", "A text file must be UTF-8."),
    ],
)
def test_uploads_are_checked_by_content(marketing, kind, name, content, field, message):
    with pytest.raises(ValidationError) as refused:
        material_services.material_create(
            by=marketing, title="Aid", kind=kind, file=SimpleUploadedFile(name, content)
        )

    assert refused.value.message_dict == {field: [message]}
    assert Material.objects.count() == 0


def test_oversized_file_is_refused(marketing, settings):
    settings.FIELD_MATERIAL_MAX_BYTES = 1024 * 1024

    with pytest.raises(ValidationError) as refused:
        material_services.material_create(
            by=marketing,
            title="Huge",
            kind="pdf",
            file=SimpleUploadedFile("huge.pdf", b"%PDF-1.4" + b"0" * (1024 * 1024)),
        )

    assert refused.value.message_dict == {"file": ["The file is larger than 1 MB."]}


def test_images_and_text_materials_are_accepted(marketing):
    image = material_services.material_create(
        by=marketing, title="Pack shot", kind="image", file=SimpleUploadedFile("p.png", _png())
    )
    text = material_services.material_create(
        by=marketing, title="Key messages", kind="text", text="Once daily, with or without food."
    )

    assert MaterialVersion.objects.get(material=image).file.name.endswith(".png")
    assert MaterialVersion.objects.get(material=text).text == "Once daily, with or without food."


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("rep_inside", False), ("marketing", False), ("manager_other", True), ("director", True)],
)
def test_who_approves(world, marketing, statin_aid, who, allowed):
    approver = marketing if who == "marketing" else world.user(who)
    version = statin_aid.versions.get()

    if allowed:
        material_services.material_version_approve(by=approver, version=version)
    else:
        with pytest.raises(ValidationError) as refused:
            material_services.material_version_approve(by=approver, version=version)
        assert refused.value.message_dict == {
            "status": ["Your role does not allow approving materials."]
        }

    version.refresh_from_db()
    assert version.status == ("approved" if allowed else "draft")
    assert version.approved_by == (approver if allowed else None)
    assert (version.approved_at is not None) is allowed


def test_new_version_approved_withdraws_the_old_one(world, marketing, statin_aid):
    first = statin_aid.versions.get()
    material_services.material_version_approve(by=world.director, version=first)

    second = material_services.material_version_add(
        by=marketing,
        material=statin_aid,
        file=SimpleUploadedFile("v2.pdf", _pdf("Rosuvastatin comparison"), "application/pdf"),
    )
    material_services.material_version_approve(by=world.director, version=second)

    first.refresh_from_db()
    assert (first.status, second.number, second.status) == ("withdrawn", 2, "approved")
    assert first.history.order_by("-history_id").first().history_change_reason == (
        "Superseded by version 2"
    )


def test_only_approved_unexpired_material_attaches_to_a_visit(world, statin_aid):
    version = statin_aid.versions.get()
    today = timezone.localdate()
    soon = datetime.combine(today + timedelta(days=1), time(3, 0), tzinfo=UTC)
    after_expiry = datetime.combine(today + timedelta(days=20), time(3, 0), tzinfo=UTC)

    with pytest.raises(ValidationError) as draft:
        visit_services.visit_log(
            by=world.rep_inside, account=world.hospital, at=soon, materials=[version]
        )
    material_services.material_version_approve(by=world.director, version=version)
    with pytest.raises(ValidationError) as expired:
        visit_services.visit_log(
            by=world.rep_inside,
            account=world.hospital,
            at=after_expiry,
            status="planned",
            materials=[version],
        )
    visit = visit_services.visit_log(
        by=world.rep_inside, account=world.hospital, at=soon, status="planned", materials=[version]
    )

    message = "Only approved, unexpired material can be shown: Lipitor detail aid v1 is not."
    assert draft.value.message_dict == {"materials": [message]}
    assert expired.value.message_dict == {"materials": [message]}
    assert list(Visit.objects.get().materials.all()) == [version]
    assert visit.materials.get() == version


def test_visit_form_offers_only_attachable_material(world, client_for, statin_aid):
    version = statin_aid.versions.get()
    data = {
        "account": world.hospital.pk,
        "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "in_person",
        "status": "done",
        "materials": [version.pk],
    }

    response = client_for("rep_inside").post("/field/visits/new/", data)

    assert response.status_code == 200
    assert "materials" in response.context["form"].errors
    assert Visit.objects.count() == 0


def test_search_finds_words_inside_pdfs_and_reps_see_approved_only(world, marketing, statin_aid):
    material_services.material_create(
        by=marketing, title="Metformin leaflet", kind="text", text="Take with meals."
    )

    editor_hits = selectors_materials.material_list_for(user=marketing, q="ldl atorvastatin")
    rep_before = list(selectors_materials.material_list_for(user=world.rep_inside, q="ldl"))
    material_services.material_version_approve(by=world.director, version=statin_aid.versions.get())
    rep_after = selectors_materials.material_list_for(user=world.rep_inside, q="ldl")
    by_area = selectors_materials.material_list_for(user=marketing, therapeutic_area="C1")

    assert [m.title for m in editor_hits] == ["Lipitor detail aid"]
    assert rep_before == []
    assert [m.title for m in rep_after] == ["Lipitor detail aid"]
    assert [m.title for m in by_area] == ["Lipitor detail aid"]


MATRIX = ["anonymous", "rep_inside", "rep_outside", "manager_other", "director", "admin"]


@pytest.mark.parametrize(
    ("who", "listing", "detail", "upload", "api_detail"),
    [
        ("anonymous", 302, 302, 302, 401),
        ("rep_inside", 200, 404, 403, 404),
        ("rep_outside", 200, 404, 403, 404),
        ("manager_other", 200, 200, 200, 200),
        ("director", 200, 200, 200, 200),
        ("admin", 200, 200, 200, 200),
    ],
)
def test_pages_and_api_by_role_for_a_draft(
    client_for, statin_aid, who, listing, detail, upload, api_detail
):
    client = client_for(who)

    responses = [
        client.get("/field/materials/"),
        client.get(f"/field/materials/{statin_aid.pk}/"),
        client.get("/field/materials/new/"),
        client.get(f"/api/v1/field/materials/{statin_aid.pk}"),
    ]

    assert [r.status_code for r in responses] == [listing, detail, upload, api_detail]
    sees_draft = detail == 200
    assert ("Lipitor detail aid" in responses[0].content.decode()) is sees_draft


def test_rep_reads_and_downloads_an_approved_version_but_cannot_approve(
    world, client_for, statin_aid
):
    version = statin_aid.versions.get()
    material_services.material_version_approve(by=world.director, version=version)
    client = client_for("rep_inside")

    page = client.get(f"/field/materials/{statin_aid.pk}/")
    download = client.get(f"/field/materials/versions/{version.pk}/file/")
    api = client.post(
        f"/api/v1/field/materials/versions/{version.pk}/status",
        {"status": "withdrawn"},
        content_type="application/json",
    )

    assert page.status_code == 200
    assert 'data-testid="withdraw-1"' not in page.content.decode()
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.4")
    assert download["Content-Security-Policy"] == "sandbox"
    assert api.status_code == 403
    version.refresh_from_db()
    assert version.status == MaterialStatus.APPROVED


def test_upload_page_validates_and_creates_a_draft(client_for, statin_aid):
    client = client_for("director")

    bad = client.post(
        "/field/materials/new/",
        {"title": "Fake", "kind": "pdf", "file": SimpleUploadedFile("x.pdf", b"hello")},
    )
    good = client.post(
        "/field/materials/new/",
        {
            "title": "Crestor study reprint",
            "kind": "pdf",
            "file": SimpleUploadedFile("crestor.pdf", _pdf("JUPITER trial"), "application/pdf"),
        },
    )

    assert bad.status_code == 200
    assert "The file is not a PDF document." in bad.content.decode()
    assert good.status_code == 302
    created = Material.objects.get(title="Crestor study reprint")
    assert "JUPITER trial" in created.versions.get().text


@pytest.mark.parametrize(("who", "status"), [("rep_inside", 403), ("admin", 200)])
def test_back_office_lists_materials_and_feeds_for_administrators(
    client_for, statin_aid, who, status
):
    client = client_for(who)

    responses = [client.get("/admin/field/material/"), client.get("/admin/field/calendarfeed/")]

    assert [r.status_code for r in responses] == [status, status]
    assert ("Lipitor detail aid" in responses[0].content.decode()) is (status == 200)


def test_list_query_count_does_not_grow_with_materials(client_for, marketing):
    client = client_for("director")
    material_services.material_create(by=marketing, title="Aid 0", kind="text", text="a")
    with CaptureQueriesContext(connection) as one:
        client.get("/field/materials/")
    for n in range(1, 6):
        material_services.material_create(by=marketing, title=f"Aid {n}", kind="text", text="b")

    with CaptureQueriesContext(connection) as six:
        client.get("/field/materials/")

    assert len(six.captured_queries) == len(one.captured_queries)


def test_visit_api_attaches_approved_material_and_refuses_a_draft_by_id(
    world, client_for, marketing, statin_aid
):
    approved = statin_aid.versions.get()
    material_services.material_version_approve(by=world.director, version=approved)
    draft = material_services.material_version_add(
        by=marketing, material=statin_aid, text="", file=SimpleUploadedFile("v2.pdf", _pdf("v2"))
    )
    client = client_for("rep_inside")
    at = timezone.now().isoformat()

    refused = client.post(
        "/api/v1/field/visits",
        {"account_id": world.hospital.pk, "at": at, "material_ids": [draft.pk]},
        content_type="application/json",
    )
    logged = client.post(
        "/api/v1/field/visits",
        {"account_id": world.hospital.pk, "at": at, "material_ids": [approved.pk]},
        content_type="application/json",
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "materials", "message": "Only approved, unexpired material can be shown."}
    ]
    assert logged.status_code == 201
    assert list(Visit.objects.get().materials.all()) == [approved]


@pytest.mark.parametrize(
    ("who", "api_list", "new_version", "draft_file", "sees_draft"),
    [
        ("anonymous", 401, 302, 302, False),
        ("rep_inside", 200, 403, 404, False),
        ("rep_outside", 200, 403, 404, False),
        ("manager_other", 200, 200, 200, True),
        ("director", 200, 200, 200, True),
        ("admin", 200, 200, 200, True),
    ],
)
def test_remaining_material_endpoints_by_role(
    client_for, statin_aid, who, api_list, new_version, draft_file, sees_draft
):
    client = client_for(who)
    version = statin_aid.versions.get()

    listing = client.get("/api/v1/field/materials?q=atorvastatin")
    upload = client.get(f"/field/materials/{statin_aid.pk}/versions/new/")
    download = client.get(f"/field/materials/versions/{version.pk}/file/")

    assert [listing.status_code, upload.status_code, download.status_code] == [
        api_list,
        new_version,
        draft_file,
    ]
    titles = [m["title"] for m in listing.json()["items"]] if api_list == 200 else []
    assert titles == (["Lipitor detail aid"] if sees_draft else [])
