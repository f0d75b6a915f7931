"""Territory pages: the tree with who covers each node, assignments and the one-step handover."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.territories import selectors as territory_selectors
from pharmacrm.territories import services as territory_services
from pharmacrm.territories.forms import AssignmentForm, HandoverForm

VIEWERS = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER})
EDITORS = frozenset({Role.ADMINISTRATOR})


def _require(request: HttpRequest, roles: frozenset[Role]) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(*roles):
        raise PermissionDenied(_("Your role does not allow this page."))
    return user


@require_GET
def territory_tree(request: HttpRequest) -> HttpResponse:
    """The tree, each node with the users covering it today; forms for administrators."""
    user = _require(request, VIEWERS)
    today = timezone.localdate()
    covering: dict[int, list[str]] = {}
    for assignment in territory_selectors.assignment_list(on=today):
        covering.setdefault(assignment.territory_id, []).append(assignment.user.get_username())
    context = {
        "rows": [
            (node, covering.get(node.territory.pk, []))
            for node in territory_selectors.territory_tree()
        ],
        "assignments": territory_selectors.assignment_list()[:100],
        "can_edit": user.has_role(*EDITORS),
        "assignment_form": AssignmentForm(),
        "handover_form": HandoverForm(),
    }
    return render(request, "territories/territory_tree.html", context)


@require_POST
def assignment_create(request: HttpRequest) -> HttpResponse:
    """Assign a user to a node for a period."""
    by = _require(request, EDITORS)
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the user, territory and dates."))
        return redirect("territory-tree")
    try:
        territory_services.assignment_create(by=by, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Assignment saved."))
    return redirect("territory-tree")


@require_POST
def territory_handover(request: HttpRequest) -> HttpResponse:
    """Hand a departing user's territories to a successor in one step, keeping history."""
    by = _require(request, EDITORS)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the users and the date."))
        return redirect("territory-tree")
    try:
        created = territory_services.territory_handover(by=by, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Handed over %(count)s territories.") % {"count": len(created)})
    return redirect("territory-tree")
