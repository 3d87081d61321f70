# Multi-stage build: a Debian stage with clang and Deno builds the examples, the bundled libbpf
# and the single-file binary; the final stage holds only that binary.
FROM debian:bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool make gcc npm git \
      dpkg-dev m4 pkg-config gawk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make deps examples && make build

FROM debian:bookworm-slim AS ebpf_exporter
COPY --from=build /src/ebpf_exporter /ebpf_exporter
EXPOSE 9435
ENTRYPOINT ["/ebpf_exporter"]
