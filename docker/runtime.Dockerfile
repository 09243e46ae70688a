# The default task runtime image (zip tasks): a shell and python3, run as the unprivileged user
# 1000 with the task's workspace at /workspace. Where no registry is reachable, `npm run up` builds
# the same image with debootstrap + `docker import` (libs/local-stack/src/runtime-image.ts).
# Build from the repository root:  docker build -f docker/runtime.Dockerfile -t hivemind/runtime:latest .
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 task && useradd --uid 1000 --gid 1000 --home-dir /workspace --shell /bin/sh task \
 && mkdir -p /workspace && chmod 1777 /workspace
COPY docker/runtime/hivemind-run /usr/local/bin/hivemind-run
ENV PYTHONUNBUFFERED=1 HOME=/workspace
WORKDIR /workspace
USER 1000:1000
CMD ["/usr/local/bin/hivemind-run"]
