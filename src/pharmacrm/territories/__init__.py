"""Territories: the territory tree, dated assignments of users to nodes, and scoping."""
