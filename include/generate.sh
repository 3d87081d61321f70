#!/usr/bin/env bash
# Regenerates include/<arch>/vmlinux.h from the running kernel's BTF with bpftool.
# The header is only used to compile the examples (CO-RE relocations adapt them to other kernels).
set -euo pipefail
cd "$(dirname "$0")"
case "$(uname -m)" in
  x86_64) arch=x86 ;;
  aarch64) arch=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
btf=${BTF:-/sys/kernel/btf/vmlinux}
[ -r "$btf" ] || { echo "no BTF at $btf (set BTF=/path/to/vmlinux)" >&2; exit 1; }
mkdir -p "$arch"
bpftool btf dump file "$btf" format c > "$arch/vmlinux.h.tmp"
mv "$arch/vmlinux.h.tmp" "$arch/vmlinux.h"
echo "wrote include/$arch/vmlinux.h from $btf ($(uname -r))"
