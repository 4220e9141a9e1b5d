# ambassador-bot as a container: `serve` by default (HTTP on PORT, /healthz for the health check).
# Build: docker build -t ambassador-bot .    Everything together: docker compose up -d (docker-compose.yml)

# --- build: the bot and its dependencies as wheels (no compiler needed: all have binary wheels) ---
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY jobs ./jobs
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# --- run: a slim Python, the installed wheels, an unprivileged user ---
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    LOG_FORMAT=json
RUN useradd --system --uid 10001 --user-group --home-dir /app --create-home --shell /usr/sbin/nologin bot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
# The working directory is the bot's (a SQLite file would go here; use PostgreSQL for real deployments).
WORKDIR /app
USER 10001:10001
EXPOSE 3000
# /healthz answers 200 when the database answers, 503 otherwise (urlopen raises on 503: unhealthy).
# Socket Mode and `scheduler` serve no HTTP: docker-compose.yml turns the check off for the scheduler.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4)"]
ENTRYPOINT ["ambassador-bot"]
CMD ["serve"]
