"""The offline API (see the app's views for the same operations in the UI)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["offline"])
