# The picks-export command line. The base is any Debian-based image with Python 3.11+ and its venv module:
# python:3.11-slim by default, or one built from Debian's packages without a registry (scripts/container.sh).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
# The runtime dependencies and the bigquery extra (the Storage Read API's client), not the test extras, first, in a
# layer of their own, so that a change to the sources alone rebuilds in seconds. A CA bundle may be lent to pip as a build secret, for a network that inspects TLS:
# it is mounted for the step only and never stored in a layer.
COPY pyproject.toml ./
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
    && python3 -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print(*p["dependencies"], *p["optional-dependencies"]["bigquery"], sep="\n")' \
        > requirements.txt \
    && python3 -m venv /opt/picks-export \
    && /opt/picks-export/bin/pip install --no-cache-dir --disable-pip-version-check --requirement requirements.txt
COPY README.md ./
COPY picks_export ./picks_export
# The package itself; pip check proves the layer above holds every dependency; pip is not needed at run time.
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
    && /opt/picks-export/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps . \
    && /opt/picks-export/bin/pip check \
    && /opt/picks-export/bin/pip uninstall --yes --quiet pip

FROM ${BASE_IMAGE}
# A user without privileges; its home is the working folder (the default warehouse and public/) and holds the cache.
# USER names it by number, which a host or a cluster's non-root policy can check without the image's /etc/passwd.
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/picks-export picks-export
COPY --from=build /opt/picks-export /opt/picks-export
ENV PATH=/opt/picks-export/bin:$PATH \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /home/picks-export
ENTRYPOINT ["picks-export"]
CMD ["--help"]
