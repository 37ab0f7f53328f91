"""SQLModel tables, one module per domain; `load_all()` registers all of them (the one place that does:
every engine calls it, and so does each job worker when it starts).

Domain modules are discovered, so a new domain adds `storage/tables/<domain>.py` without editing
this file.
"""

from __future__ import annotations

import importlib
import pkgutil

from sqlmodel import SQLModel


def load_all() -> type[SQLModel]:
    """Import every table module so `SQLModel.metadata` knows all tables; returns SQLModel."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return SQLModel
