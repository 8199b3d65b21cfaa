# cvtex with TeX Live, ko.TeX and the fonts: no setup on the machine that runs it.
#   docker build -t cvtex .                              (in a clone or the unpacked sdist)
#   docker run --rm -v "$PWD:/work" cvtex render cv.yaml  (PDFs in ./out)
# docs/install.md says more, and what was and was not tried with this file.

# Stage 1: the wheel, built from this source tree by the project's own build backend.
FROM debian:bookworm-slim AS wheel
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-venv \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# hadolint ignore=DL3013
RUN python3 -m venv /opt/build \
 && /opt/build/bin/pip install --no-cache-dir build \
 && /opt/build/bin/python -m build --wheel --outdir /dist .

# Stage 2: Debian 12 with the apt packages of scripts/install-tex.sh (the one list cvtex renders
# with) and cvtex in its own virtual environment.
FROM debian:bookworm-slim
COPY scripts/install-tex.sh /tmp/install-tex.sh
RUN bash /tmp/install-tex.sh python3-venv \
 && rm -rf /var/lib/apt/lists/* /tmp/install-tex.sh
COPY --from=wheel /dist/ /tmp/dist/
# hadolint ignore=DL3013
RUN python3 -m venv /opt/cvtex \
 && /opt/cvtex/bin/pip install --no-cache-dir /tmp/dist/*.whl \
 && rm -rf /tmp/dist
# Any user id (docker run --user "$(id -u):$(id -g)") can write the caches: they live in /tmp.
ENV PATH=/opt/cvtex/bin:$PATH \
    CVTEX_CACHE_DIR=/tmp/cvtex-cache \
    XDG_CACHE_HOME=/tmp/cache
RUN useradd --create-home --uid 1000 cvtex
USER 1000:1000
WORKDIR /work
ENTRYPOINT ["cvtex"]
CMD ["--help"]
