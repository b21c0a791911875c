# workload-emulator: a self-hosted emulator of the Workload control plane API.
#
#   docker build -t workload-emulator .
#   docker run --rm -p 8080:8080 -e WORKLOAD_EMULATOR_CONTROL_TOKEN=change-me workload-emulator
#
# The image listens on every interface, so set a control token: without one, anyone who
# reaches the port can read every token and change the state through /__emulator (the
# emulator warns on stderr). With it, /__emulator calls need `X-Emulator-Token: change-me`.
#
# Build stage: the release build is scripts/build-release, the same command CI runs,
# so the image and CI cannot drift apart. Builder and runtime are both Debian 12
# (bookworm): the binary links the builder's glibc, which must not be newer than the
# runtime's.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# zlib headers and pkg-config for the CZlib system library target.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends zlib1g-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# .dockerignore is an allow-list: Package.swift, Sources, Tests, scripts/build-release,
# fixtures and LICENSE.
COPY . .
# mkdir: git keeps no empty folder, and the runtime stage copies fixtures/ from here.
RUN mkdir -p fixtures \
    && scripts/build-release \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/workload-emulator" /out/workload-emulator

FROM ${RUNTIME_IMAGE}
# Static Swift stdlib: the binary needs only glibc, libstdc++, libgcc_s and zlib, all
# already in debian:bookworm-slim (apt and dpkg depend on them). No curl: the
# HEALTHCHECK uses the binary's own --healthcheck.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin emulator \
    && mkdir -p /data && chown emulator /data
COPY --from=build /out/workload-emulator /usr/local/bin/workload-emulator
COPY --from=build /src/fixtures /usr/share/workload-emulator/fixtures
COPY --from=build /src/LICENSE /usr/share/doc/workload-emulator/LICENSE
USER emulator
WORKDIR /data
# Inside a container the emulator must listen on every interface; the usual port.
# The demo fixtures are bundled; `-e WORKLOAD_EMULATOR_FIXTURES=/usr/share/workload-emulator/fixtures`
# loads them (the variable is --fixtures, read by the binary like every flag).
ENV WORKLOAD_EMULATOR_HOST=0.0.0.0 \
    WORKLOAD_EMULATOR_PORT=8080
EXPOSE 8080
# --healthcheck does GET /__emulator/health over loopback on WORKLOAD_EMULATOR_PORT
# (with WORKLOAD_EMULATOR_CONTROL_TOKEN, if set) and exits 0 only on a 200. To move the port, set WORKLOAD_EMULATOR_PORT (docker run -e),
# not --port: the check is a separate process and only sees the environment.
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/usr/local/bin/workload-emulator", "--healthcheck"]
# SIGTERM (docker stop) is a graceful stop: in-flight requests finish, state is written.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/workload-emulator"]
