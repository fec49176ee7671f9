# A small image of the ICI mock server: the package installed from this source tree,
# served by waitress, as a non-root user. Configure it with the MOCKSERVER_* variables.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8080

WORKDIR /src
COPY pyproject.toml README.md ./
COPY mockserver ./mockserver
COPY fixtures ./fixtures
RUN pip install . && rm -rf /src

RUN useradd --create-home --uid 10001 mock
USER mock
WORKDIR /home/mock

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['MOCKSERVER_PORT'] + '/_mock/health', timeout=2)"]
ENTRYPOINT ["mockserver", "serve"]
