# One image for both roles: the worker (Chromium, headful under Xvfb) and the API.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium xvfb xauth fonts-liberation tini curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY lmarena_client ./lmarena_client
COPY lmarena_worker ./lmarena_worker
COPY lmarena_api ./lmarena_api
RUN pip install --no-cache-dir ".[server]" \
    && useradd --create-home --uid 1000 arena
USER arena

ENV LM_ARENA_BROWSER_EXECUTABLE_PATH=/usr/bin/chromium \
    PYTHONUNBUFFERED=1
# tini reaps Chromium's helper processes (a Python PID 1 would leave zombies).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["lmarena-server", "--host", "0.0.0.0"]
