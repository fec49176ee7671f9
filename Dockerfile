# A small image of the ICI mock server: the package installed from this source tree with the
# project's locked versions into a virtual environment, served by waitress (or, with
# MOCKSERVER_SERVER=granian, the fast mode), as a non-root user. Configure it with the
# MOCKSERVER_* variables or with serve's flags after the image name.
#
# BASE is any Debian-like image with python3 (3.11 or newer) and its venv module: the official
# slim image by default; CI builds a Debian-made stand-in (tests/integration/test_docker.py).
# PIP_INSTALL_FLAGS is passed to pip: CI installs offline from wheels it puts in the build
# context ("--no-index --find-links wheels"); a user's build leaves it empty.
ARG BASE=python:3.11.15-slim-bookworm
FROM ${BASE}
ARG PIP_INSTALL_FLAGS=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/mockserver/bin:$PATH \
    MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8080 \
    MOCKSERVER_URL_FILE=/tmp/mockserver.url

WORKDIR /src
COPY . ./
RUN python3 -m venv /opt/mockserver \
    && pip install $PIP_INSTALL_FLAGS -c constraints.txt . \
    && cd / && rm -rf /src

# /data: where a --state-file on a volume goes (owned by the user the server runs as).
RUN useradd --create-home --uid 10001 mock && mkdir /data && chown mock /data
USER mock
WORKDIR /home/mock

EXPOSE 8080
# The server writes the URL it really listens on (flags included) to MOCKSERVER_URL_FILE.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["mockserver", "health"]
ENTRYPOINT ["mockserver", "serve"]
