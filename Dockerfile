# Multi-stage build. The build stage (Debian with clang, gcc and Deno from npm) builds the bundled
# libbpf, the examples and the single-file ./ebpf_exporter; the final image is FROM scratch and
# holds only that binary plus the glibc files it loads (the same set tests/kernel/binary_test.ts
# runs it with in a bare chroot).
#
#   docker build -t ebpf_exporter .
#
# Both x86_64 and arm64: the build stage runs natively on each platform (a native arm64 builder,
# or QEMU user emulation through binfmt_misc; Deno, clang and the libbpf build all run there):
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/ebpf_exporter --push .
#
# The examples compile against include/<arch>/vmlinux.h, which must be in the build context for
# every target: include/x86/vmlinux.h is committed; make include/arm64/vmlinux.h from an arm64
# kernel's BTF with the same script, on any machine with bpftool (see README, "Other
# architectures"):
#
#   ARCH=arm64 BTF=/path/to/arm64/vmlinux include/generate.sh
#
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
# Say which header is missing rather than let make fail on a rule.
RUN arch=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/') \
    && test -s "include/$arch/vmlinux.h" \
    || { echo "include/$arch/vmlinux.h is missing: ARCH=$arch BTF=<$arch kernel BTF> include/generate.sh" >&2; exit 1; }
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
