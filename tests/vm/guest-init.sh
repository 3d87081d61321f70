#!/bin/busybox sh
# /init of the guest's initramfs (tests/vm/run-guest.sh). Loads the 9p and overlay modules,
# mounts the host's root read-only under a tmpfs overlay, mounts the run's writable share, and
# switches root to it, handing over to tests/vm/guest-stage2.sh in the host tree.
# The kernel command line passes EBPFEX_REPO (the checkout's path) and EBPFEX_MODULES (the
# kernel's module tree in that checkout) as environment variables.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
  echo "guest-init: $*" >/dev/console
  echo o >/proc/sysrq-trigger
  sleep 5
}

while read -r m; do
  insmod "/modules/$m.ko" || fail "insmod $m failed"
done </modules/order

mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot /host ||
  fail "cannot mount the host root over 9p"
mount -t tmpfs -o size=8g,mode=755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /newroot ||
  fail "cannot mount the overlay"
mkdir -p /newroot/run/vm-out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmout /newroot/run/vm-out ||
  fail "cannot mount the output share"
for d in proc sys dev; do mount --move "/$d" "/newroot/$d"; done
exec switch_root /newroot /bin/sh "$EBPFEX_REPO/tests/vm/guest-stage2.sh"
