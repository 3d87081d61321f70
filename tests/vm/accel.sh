#!/usr/bin/env bash
# Prints the QEMU accelerator to use: `kvm` when /dev/kvm is usable and a probe guest boots to
# userspace with it within 60 s, else `tcg` (nested KVM hangs after the BIOS on some hosts). The
# answer is cached in build/kernels/accel.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=$ROOT/build/kernels/accel
[[ -f $cache ]] && { cat "$cache"; exit 0; }
mkdir -p "$(dirname "$cache")"
answer=tcg
if [[ -w /dev/kvm ]]; then
  series=$(awk '!/^#/ && NF { print $1; exit }' "$ROOT/tests/vm/kernels.list")
  if VM_ACCEL=kvm VM_TIMEOUT=60 VM_MEMORY=512 "$ROOT/tests/vm/run-guest.sh" "$series" true \
    >/dev/null 2>&1; then
    answer=kvm
  fi
fi
echo "$answer" >"$cache"
echo "$answer"
