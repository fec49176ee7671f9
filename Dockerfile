# A small image of the ICI mock server: the package installed from this source tree with the
# project's locked versions, served by waitress, as a non-root user. Configure it with the
# MOCKSERVER_* variables or with serve's flags after the image name.
FROM python:3.11.15-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8080 \
    MOCKSERVER_URL_FILE=/tmp/mockserver.url

WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY mockserver ./mockserver
COPY fixtures ./fixtures
RUN pip install -c constraints.txt . && rm -rf /src

RUN useradd --create-home --uid 10001 mock
USER mock
WORKDIR /home/mock

EXPOSE 8080
# The server writes the URL it really listens on (flags included) to MOCKSERVER_URL_FILE.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["mockserver", "health"]
ENTRYPOINT ["mockserver", "serve"]
