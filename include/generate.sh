#!/usr/bin/env bash
# Regenerates include/<arch>/vmlinux.h from a kernel's BTF with bpftool: by default the running
# kernel's. The header is only used to compile the examples (CO-RE relocations adapt them to
# other kernels). For another architecture, name it and give that kernel's BTF:
#
#   ARCH=arm64 BTF=vmlinux-arm64 include/generate.sh
#
# BTF is any file bpftool reads as BTF: /sys/kernel/btf/vmlinux copied from a machine of that
# architecture, or the vmlinux ELF of its kernel (Debian: the linux-image-*-dbg package).
set -euo pipefail
cd "$(dirname "$0")"
case "${ARCH:-$(uname -m)}" in
  x86_64 | x86) arch=x86 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "unsupported architecture ${ARCH:-$(uname -m)}" >&2; exit 1 ;;
esac
host=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
if [ "$arch" != "$host" ] && [ -z "${BTF:-}" ]; then
  echo "the running kernel is $host: set BTF=/path/to/$arch/vmlinux for $arch" >&2
  exit 1
fi
btf=${BTF:-/sys/kernel/btf/vmlinux}
[ -r "$btf" ] || { echo "no BTF at $btf (set BTF=/path/to/vmlinux)" >&2; exit 1; }
mkdir -p "$arch"
bpftool btf dump file "$btf" format c > "$arch/vmlinux.h.tmp"
mv "$arch/vmlinux.h.tmp" "$arch/vmlinux.h"
echo "wrote include/$arch/vmlinux.h from $btf"
