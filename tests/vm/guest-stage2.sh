#!/bin/sh
# PID 1 of the guest after switch_root (tests/vm/run-guest.sh): the host's root read-only under a
# tmpfs overlay. Mounts what the tests need, runs /run/vm-out/cmd.sh in the checkout, writes its
# exit status to /run/vm-out/rc and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
out=/run/vm-out

off() {
  sync
  busybox poweroff -f 2>/dev/null || echo o >/proc/sysrq-trigger
  sleep 10
}

mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts 2>/dev/null
# /tmp stays the overlay's (writes land in the guest's tmpfs): the checkout itself may live
# under the host's /tmp, and a fresh tmpfs there would hide it.
mkdir -p /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# The kernel's module tree lives in the checkout; the kernel's modprobe helper looks here.
release=$(uname -r)
mkdir -p "/lib/modules/$release"
mount --bind "$EBPFEX_MODULES" "/lib/modules/$release"
ip link set lo up
hostname "guest-$(echo "$release" | tr -c "a-zA-Z0-9.\n-" -)"

cd "$EBPFEX_REPO" || off
# The host follows $out/log as it grows (the share writes straight through).
sh "$out/cmd.sh" >"$out/log" 2>&1
echo $? >"$out/rc"
off
