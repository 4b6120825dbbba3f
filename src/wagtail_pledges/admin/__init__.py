"""The editors' admin: viewsets, review views, reports and the dashboard panel.

Everything here calls :mod:`wagtail_pledges.lifecycle` to change a status and
:mod:`wagtail_pledges.policy` to decide who may; ``wagtail_hooks.py`` only registers
what this package defines.
"""
