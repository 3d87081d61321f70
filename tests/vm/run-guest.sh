#!/usr/bin/env bash
# Boots one Debian stock kernel of the matrix under QEMU and runs a shell command inside it, in
# this checkout, against the host's root (read-only, writes go to a tmpfs overlay), with tracefs,
# bpffs and cgroup2 mounted and `lo` up. Prints the command's output; exits with its status.
#   tests/vm/run-guest.sh SERIES 'command'
# Environment:
#   VM_ACCEL=kvm|tcg   default: KVM when a probe boot with it works (tests/vm/accel.sh), else TCG
#   VM_MEMORY          MiB, default 4096
#   VM_CPUS            default: all of the host's
#   VM_CPU             QEMU CPU model under TCG, default max
#   VM_TIMEOUT         seconds for the whole guest run, default 1800
#   VM_TIMEOUT_SCALE   how much longer the tests may wait under TCG, default 6
#   VM_CONCURRENT_KEYS map size of the concurrent-scrape test under TCG, default 100000
#   VM_ENV             names of host variables to pass into the guest (EBPF_EXPORTER_REQUIRE_KERNEL=1
#                      and NO_COLOR=1 are always set there)
#   VM_OUT             a directory shared writable with the guest (/run/vm-out there) and kept
#                      afterwards; default: a temporary one
set -euo pipefail

SERIES=${1:?usage: run-guest.sh SERIES 'command'}
CMD=${2:?usage: run-guest.sh SERIES 'command'}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM=$ROOT/tests/vm
K=$ROOT/build/kernels/$SERIES

"$VM/fetch-kernel.sh" "$SERIES" >&2
release=$(cat "$K/release")
accel=${VM_ACCEL:-$("$VM/accel.sh")}

if [[ -n ${VM_OUT:-} ]]; then
  mkdir -p "$VM_OUT"
  run=$(cd "$VM_OUT" && pwd)
  rm -f "$run/rc"
  keep=1
else
  run=$(mktemp -d "${TMPDIR:-/tmp}/ebpf-exporter-vm.XXXXXX")
  keep=0
fi
qpid=""
cleanup() {
  [[ -n $qpid ]] && kill "$qpid" 2>/dev/null || true
  [[ $keep == 1 ]] || rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

{
  echo "export EBPF_EXPORTER_REQUIRE_KERNEL=1 NO_COLOR=1"
  # Emulated CPUs are several times slower: the harness stretches its wait bounds by this factor.
  [[ $accel == tcg ]] && echo "export EBPF_EXPORTER_TEST_TIMEOUT_SCALE=${VM_TIMEOUT_SCALE:-6}"
  # The 50-client scrape of a 1M-entry map takes minutes per scrape when emulated; the property
  # it checks (one shared collection, bounded memory) holds at any size, and the host runs 1M.
  [[ $accel == tcg ]] && echo "export EBPF_EXPORTER_CONCURRENT_KEYS=${VM_CONCURRENT_KEYS:-100000}"
  for name in ${VM_ENV:-}; do
    [[ -n ${!name+x} ]] && printf 'export %s=%q\n' "$name" "${!name}"
  done
  echo "cd $(printf '%q' "$PWD")"
  printf '%s\n' "$CMD"
} >"$run/cmd.sh"
: >"$run/log"

cpus=${VM_CPUS:-$(nproc)}
cpu=${VM_CPU:-max}
[[ $accel == kvm ]] && cpu=host
echo "==> booting $release ($accel, $cpus CPUs)" >&2
timeout "${VM_TIMEOUT:-1800}" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "$cpus" \
  -m "${VM_MEMORY:-4096}" -nodefaults -display none -no-reboot -serial "file:$run/console" \
  -kernel "$K/vmlinuz" -initrd "$K/initramfs.gz" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3 EBPFEX_REPO=$ROOT EBPFEX_MODULES=$K/modules/lib/modules/$release" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$run,mount_tag=vmout,security_model=none" \
  -device virtio-rng-pci &
qpid=$!
tail -n +1 -f --pid="$qpid" "$run/log" &
tpid=$!
status=0
wait "$qpid" || status=$?
qpid=""
wait "$tpid" 2>/dev/null || true
if [[ ! -f $run/rc ]]; then
  echo "run-guest: the guest ($release) ended without running the command to completion (qemu status $status); its console:" >&2
  tail -n 40 "$run/console" >&2 || true
  exit 125
fi
exit "$(cat "$run/rc")"
