"""FastAPI app: ``uvicorn --app-dir examples/backend app.main:app``."""

from __future__ import annotations

import sys
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import database_url, get_engine


def log(message: str) -> None:
    print(f"backend: {message}", file=sys.stdout, flush=True)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    url = database_url()
    log(f"starting up (database {url.host}:{url.port or 5432}/{url.database})")
    yield
    log("shutting down")
    get_engine().dispose()


app = FastAPI(title="backend-supervisor example", lifespan=lifespan)


@app.get("/health")
def health() -> Any:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return JSONResponse(
            status_code=503,
            content={"status": "error", "database": "error", "detail": type(exc).__name__},
        )
    try:
        with get_engine().connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        return JSONResponse(
            status_code=503,
            content={
                "status": "error",
                "database": "ok",
                "revision": None,
                "detail": f"migrations not applied ({type(exc).__name__})",
            },
        )
    return {"status": "ok", "database": "ok", "revision": revision}


@app.get("/items")
def list_items() -> Any:
    try:
        with get_engine().connect() as conn:
            rows = conn.execute(
                text("SELECT id, name, description, owner_id FROM items ORDER BY id")
            ).mappings().all()
    except SQLAlchemyError as exc:
        return JSONResponse(
            status_code=503, content={"status": "error", "detail": type(exc).__name__}
        )
    return [dict(row) for row in rows]
