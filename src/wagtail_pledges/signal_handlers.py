"""Receivers wiring Wagtail's own signals to the lifecycle (no rules live here)."""
