"""Role groups after migrate: every app's permissions are in, whatever its INSTALLED_APPS place."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from pharmacrm.core.roles import Role

ROLE_SLUGS = {
    "administrator",
    "director",
    "regional_manager",
    "sales_rep",
    "analyst",
    "campaign_manager",
    "channel_manager",
    "supplier_manager",
}


def test_each_role_of_design_md_is_a_group(db):
    assert {role.value for role in Role} == ROLE_SLUGS
    assert set(Group.objects.values_list("name", flat=True)) >= ROLE_SLUGS


def test_administrator_group_holds_every_permission_of_the_installation(db):
    group = Group.objects.get(name="administrator")

    assert group.permissions.count() == Permission.objects.count()


def test_roles_include_permissions_of_apps_listed_after_core(db):
    supplier = Group.objects.get(name="supplier_manager")

    names = {f"{p.content_type.app_label}.{p.codename}" for p in supplier.permissions.all()}

    assert names == {"catalog.view_product"}
