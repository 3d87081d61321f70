#!/usr/bin/env bash
# Downloads one Debian stock kernel of the matrix and prepares it for tests/vm/run-guest.sh:
#   build/kernels/SERIES/vmlinuz        the kernel image
#   build/kernels/SERIES/release        its `uname -r`
#   build/kernels/SERIES/modules/       its module tree (depmod run), bind-mounted in the guest
#   build/kernels/SERIES/initramfs.gz   busybox + the modules that mount the host root over 9p
# Usage: tests/vm/fetch-kernel.sh SERIES   (SERIES from tests/vm/kernels.list, e.g. 6.1)
#
# apt runs with a private configuration under build/kernels/apt, so the host's sources and
# package lists are never changed. Idempotent: a prepared kernel is kept until `make clean`.
set -euo pipefail

SERIES=${1:?usage: fetch-kernel.sh SERIES}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM=$ROOT/tests/vm
BASE=$ROOT/build/kernels
OUT=$BASE/$SERIES
APT=$BASE/apt
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# Modules the guest's /init loads to mount the host root (their dependencies are added from
# modules.dep); anything built into a kernel is skipped.
BOOT_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

die() { echo "fetch-kernel: error: $*" >&2; exit 1; }

[[ -f $OUT/.done && $OUT/.done -nt $0 && $OUT/.done -nt $VM/guest-init.sh ]] && exit 0

line=$(awk -v s="$SERIES" '$1 == s { print; exit }' "$VM/kernels.list")
[[ -n $line ]] || die "series \"$SERIES\" is not in tests/vm/kernels.list"
read -r -a suites <<<"${line#* }"

apt_opts=(-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o APT::Architecture=amd64
  -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Retries=4)
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
: >"$APT/sources.list.new"
for s in "${suites[@]}"; do
  if [[ $s == *-security ]]; then m=$SECURITY_MIRROR; else m=$MIRROR; fi
  echo "deb [signed-by=$KEYRING] $m $s main" >>"$APT/sources.list.new"
done
mv "$APT/sources.list.new" "$APT/sources.list"
echo "==> apt lists for ${suites[*]}"
apt-get "${apt_opts[@]}" -qq update >/dev/null 2>"$APT/update.log" || {
  cat "$APT/update.log" >&2
  die "apt-get update failed"
}

# The newest linux-image-amd64 of this series names the image package; we want its -unsigned twin.
image=$(apt-cache "${apt_opts[@]}" show linux-image-amd64 | awk -v s="$SERIES." '
  /^Version: / { v = $2 }
  /^Depends: / && index(v, s) == 1 { sub(/^Depends: /, ""); sub(/ .*/, ""); print v, $0 }' |
  sort -V | tail -n 1 | cut -d' ' -f2)
[[ -n $image ]] || die "no linux-image-amd64 of series $SERIES in ${suites[*]}"
pkg=$image-unsigned
echo "==> $pkg"

rm -rf "$OUT"
mkdir -p "$OUT/x" "$BASE/debs"
(cd "$BASE/debs" && apt-get "${apt_opts[@]}" -qq download "$pkg" >/dev/null)
deb=$(ls -t "$BASE/debs/${pkg}"_*.deb | head -n 1)
dpkg-deb -x "$deb" "$OUT/x"
release=$(basename "$(ls -d "$OUT"/x/boot/vmlinuz-*)")
release=${release#vmlinuz-}
cp "$OUT/x/boot/vmlinuz-$release" "$OUT/vmlinuz"
echo "$release" >"$OUT/release"
moddir=$OUT/x/lib/modules/$release
[[ -d $moddir ]] || moddir=$OUT/x/usr/lib/modules/$release # merged-/usr packages (trixie)
mkdir -p "$OUT/modules/lib/modules"
mv "$moddir" "$OUT/modules/lib/modules/$release"
rm -rf "$OUT/x"
depmod -b "$OUT/modules" "$release"

# initramfs: busybox, /init, and the boot modules (decompressed: busybox insmod reads plain .ko)
# in dependency order.
ird=$(mktemp -d)
trap 'rm -rf "$ird"' EXIT
mkdir -p "$ird"/{bin,modules,proc,sys,dev,host,out,rw,newroot}
cp /bin/busybox "$ird/bin/busybox"
cp "$VM/guest-init.sh" "$ird/init"
chmod 755 "$ird/init"
mods=$OUT/modules/lib/modules/$release
: >"$ird/modules/order"
declare -A seen=()
add_module() { # adds a module after its dependencies
  local name=$1 path dep
  path=$(awk -F: -v n="$name" '{ f = $1; sub(/.*\//, "", f); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", f);
    gsub(/-/, "_", f); if (f == n) { print; exit } }' "$mods/modules.dep")
  [[ -n $path ]] || return 0 # built in
  local file=${path%%:*} deps=${path#*:}
  for dep in $deps; do
    dep=$(basename "$dep"); dep=${dep%%.ko*}; dep=${dep//-/_}
    add_module "$dep"
  done
  [[ -n ${seen[$name]:-} ]] && return 0
  seen[$name]=1
  case $file in
    *.xz) xz -dc "$mods/$file" >"$ird/modules/$name.ko" ;;
    *.zst) zstd -qdc "$mods/$file" >"$ird/modules/$name.ko" ;;
    *.gz) gzip -dc "$mods/$file" >"$ird/modules/$name.ko" ;;
    *) cp "$mods/$file" "$ird/modules/$name.ko" ;;
  esac
  echo "$name" >>"$ird/modules/order"
}
for m in "${BOOT_MODULES[@]}"; do add_module "$m"; done
(cd "$ird" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 >"$OUT/initramfs.gz")
echo "==> $OUT: $release, boot modules: $(tr '\n' ' ' <"$ird/modules/order")"
touch "$OUT/.done"
