"""Curators' pages (``/curate/``) and the public takedown pages (``/takedown/``).

Every curator view requires a login and checks a permission (``common.require``); the groups
(``apps.curation.roles``) hand the permissions out to the Curator, Editor and Admin roles.
"""
