"""Database configuration shared by the FastAPI app and Alembic's env.py.

DATABASE_URL is passed through unchanged by the supervisor and may use any of
``postgres://``, ``postgresql://``, ``postgresql+psycopg2://`` or
``postgresql+asyncpg://`` (or another ``postgresql+<driver>://``). This project
is synchronous, so every form is normalised to the psycopg2 driver.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Optional

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url

DRIVER = "postgresql+psycopg2"


def normalise_url(raw: str) -> URL:
    """Return ``raw`` as a SQLAlchemy URL that uses the psycopg2 driver."""
    raw = raw.strip()
    if raw.startswith("postgres://"):  # Heroku-style alias SQLAlchemy rejects
        raw = "postgresql://" + raw[len("postgres://"):]
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            f"DATABASE_URL must be a PostgreSQL URL, got backend {url.get_backend_name()!r}"
        )
    if url.get_driver_name() == "asyncpg" and "ssl" in url.query and "sslmode" not in url.query:
        # asyncpg spells it ?ssl=require, libpq/psycopg2 spells it ?sslmode=require
        url = url.update_query_dict({"sslmode": url.query["ssl"]}).difference_update_query(["ssl"])
    return url.set(drivername=DRIVER)


def database_url(raw: Optional[str] = None) -> URL:
    """The normalised DATABASE_URL (raises RuntimeError if it is not set)."""
    if raw is None:
        raw = os.environ.get("DATABASE_URL", "")
    if not raw.strip():
        raise RuntimeError("DATABASE_URL is not set")
    return normalise_url(raw)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The app's engine, created on first use."""
    return create_engine(database_url(), pool_pre_ping=True, pool_size=5)


def __getattr__(name: str) -> Engine:
    # ``from app.db import engine`` works, but the engine (and the DATABASE_URL
    # check) is only created when first asked for, not at import time.
    if name == "engine":
        return get_engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
