# The example FastAPI + Alembic backend, with backend-supervisor as PID 1.
#
#   docker build -t backend-supervisor-example .
#   docker run -e DATABASE_URL=postgresql://app:secret@db:5432/app backend-supervisor-example
#
# Base images are build arguments, so a registry mirror or a pinned digest can be used:
#   --build-arg NODE_IMAGE=...    builds the supervisor; its node binary becomes the executable, so it
#                                 must be a glibc (Debian) node >= 20 whose glibc is not newer than the
#                                 runtime base's (node:20-bookworm-slim and python:3.12-slim are both bookworm)
#   --build-arg PYTHON_IMAGE=...  the runtime: python3 with venv (python:3.12-slim)
#   --build-arg PIP_EXTRA_ARGS=... passed to pip install, e.g. "--no-index --find-links /tmp/wheels" to install
#                                 only from wheels put in docker/wheels/ (empty by default)
ARG NODE_IMAGE=node:20-bookworm-slim
ARG PYTHON_IMAGE=python:3.12-slim

# --- the supervisor: esbuild bundle -> Node single executable application --------------------------
FROM ${NODE_IMAGE} AS supervisor
WORKDIR /src
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN npm ci --loglevel=error
COPY . .
RUN npm run build \
 && node scripts/build-executable.mjs \
 && ./dist/backend-supervisor --version

# --- the Python dependencies, in a virtual environment (the wheels never reach the final image) -----
FROM ${PYTHON_IMAGE} AS python-deps
ARG PIP_EXTRA_ARGS=
COPY examples/backend/requirements.txt /tmp/requirements.txt
COPY docker/wheels/ /tmp/wheels/
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check ${PIP_EXTRA_ARGS} -r /tmp/requirements.txt

# --- the runtime ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONUNBUFFERED=1
COPY --from=python-deps /opt/venv /opt/venv
COPY --from=supervisor /src/dist/backend-supervisor /usr/local/bin/backend-supervisor
# koffi's native module (the zombie reaper's libc binding) is loaded from beside the executable, so a
# read-only root filesystem works; only the glibc build is needed on this Debian base.
COPY --from=supervisor /src/dist/koffi-linux-*-glibc.node /usr/local/bin/
WORKDIR /app
# ALEMBIC_CONFIG defaults to alembic.ini in the working directory: /app/alembic.ini.
COPY examples/backend/alembic.ini ./
COPY examples/backend/alembic ./alembic
COPY examples/backend/app ./app
# Byte-compiled at build time: the app user cannot write to /app, and start-up is faster.
# The last two commands prove the executable runs on this base (glibc, libstdc++) before the image exists.
RUN python3 -m compileall -q /app \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin app \
 && backend-supervisor --version \
 && RUN_MIGRATIONS=false backend-supervisor -- true >/dev/null
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["backend-supervisor"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
