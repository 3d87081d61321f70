# Multi-stage build. The build stage (Debian with clang, gcc and Deno from npm) builds the bundled
# libbpf, the examples and the single-file ./ebpf_exporter; the final image is FROM scratch and
# holds only that binary plus the glibc files it loads (the same set tests/kernel/binary_test.ts
# runs it with in a bare chroot).
#
#   docker build -t ebpf_exporter .
#   docker run --rm -p 9435:9435 --cap-drop ALL --cap-add BPF --cap-add PERFMON --cap-add SYSLOG \
#     --security-opt seccomp=unconfined -v /sys/kernel/tracing:/sys/kernel/tracing:ro \
#     ebpf_exporter --config.names timers
FROM debian:bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates clang llvm libbpf-dev libelf-dev zlib1g-dev libzstd-dev zstd bpftool make gcc npm git \
      dpkg-dev m4 pkg-config gawk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make deps examples && make build
# The runtime's libraries, at the paths the dynamic loader looks for them.
RUN for lib in $(ldd "$(cat tools/.deno-path)" ./ebpf_exporter \
                    | awk '/^\t/ && /=> \// {print $3} /^\t\// {print $1}' | sort -u); do \
         mkdir -p "/rootfs$(dirname "$lib")" && cp -L "$lib" "/rootfs$lib"; \
       done \
    && cp ebpf_exporter /rootfs/ebpf_exporter

FROM scratch AS ebpf_exporter
COPY --from=build /rootfs/ /
EXPOSE 9435
ENTRYPOINT ["/ebpf_exporter"]
