#!/usr/bin/env bash
# Builds build/libbpf/libbpf_bundle.so: libbpf, libelf and zlib in one shared object that needs only
# libc (and ld-linux for __tls_get_addr), plus libbpf's public headers in build/libbpf/include/bpf/.
#
# The pieces come from Debian *source* packages compiled with -fPIC, because Debian's static
# archives are built -fPIE and cannot be linked into a shared object. libbpf is taken from the
# newest suite whose source builds here (trixie, then bookworm); elfutils and zlib from bookworm.
#
# Idempotent: when the .so exists and this script has not changed since it was built, it exits at
# once. If the source packages are not visible to apt, a deb-src entry of our own is added for the
# duration of the run and removed again on exit (followed by `apt-get update`).
#
# Environment knobs:
#   LIBBPF_BUNDLE_FORCE=1     rebuild even when the stamp says the bundle is up to date
#   LIBBPF_BUNDLE_ADD_SRC=1   add our deb-src entry even when the sources are already visible
#   LIBBPF_BUNDLE_KEEP_SRC=1  keep the unpacked sources in build/libbpf/src after a success
#   LIBBPF_BUNDLE_LIBBPF_SUITES="trixie bookworm"
#                             suites to take libbpf from, in order of preference
set -euo pipefail
# Flags from the caller (or from an outer make's command line via MAKEFLAGS) must not leak into the
# sub-builds: every flag they need is given explicitly below.
unset CFLAGS CPPFLAGS LDFLAGS EXTRA_CFLAGS EXTRA_LDFLAGS MAKEFLAGS MFLAGS MAKELEVEL

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
ROOT=$(cd "$(dirname "$SCRIPT")/.." && pwd)
OUT=$ROOT/build/libbpf
SRC=$OUT/src
LOG=$OUT/build.log
SO=$OUT/libbpf_bundle.so
INC=$OUT/include
STAMP=$OUT/.stamp
VERSION_FILE=$OUT/VERSION

read -r -a LIBBPF_SUITES <<<"${LIBBPF_BUNDLE_LIBBPF_SUITES:-trixie bookworm}"
ELFUTILS_SUITE=bookworm
ZLIB_SUITE=bookworm
SRC_ENTRY_NAME=ebpf-exporter-build-src.sources
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Headers checked after installation: what BPF programs and a C benchmark include.
REQUIRED_HEADERS=(bpf_helpers.h bpf_helper_defs.h bpf_tracing.h bpf_core_read.h bpf_endian.h
  usdt.bpf.h libbpf.h bpf.h btf.h libbpf_common.h libbpf_legacy.h libbpf_version.h)
REQUIRED_EXPORTS=(bpf_object__open_file bpf_map_lookup_batch libbpf_major_version)
JOBS=$(nproc 2>/dev/null || echo 2)

SRC_ENTRY_FILE=""
TMP_DIR=""

say() { printf '==> %s\n' "$*"; }
warn() { printf 'build-libbpf: warning: %s\n' "$*" >&2; }

# Stops the build with a message and, when a log exists, its last lines.
die() {
  printf '\nbuild-libbpf: error: %s\n' "$*" >&2
  if [[ -s $LOG ]]; then
    printf -- '--- last lines of %s ---\n' "$LOG" >&2
    tail -n 40 "$LOG" >&2
    printf -- '--- end of log ---\n' >&2
  fi
  exit 1
}

# Runs a command with its output going to the log; returns its status.
logged() {
  printf '\n$ %s\n' "$*" >>"$LOG"
  "$@" >>"$LOG" 2>&1
}

# apt and /etc changes need root; sudo is used only when we are not root already.
as_root() {
  if [[ $(id -u) == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "root is needed to run '$*': run this script as root or install sudo" >&2
    return 1
  fi
}

apt_update() {
  logged as_root apt-get -o DPkg::Lock::Timeout=300 update || die "apt-get update failed"
}

bundle_is_current() {
  [[ -f $SO && -f $STAMP && -f $VERSION_FILE && $(cat "$STAMP") == "$SCRIPT_HASH" ]] || return 1
  local h
  for h in "${REQUIRED_HEADERS[@]}"; do [[ -f $INC/bpf/$h ]] || return 1; done
}

# Removes our deb-src entry (if we added it) so the machine's apt state is as before.
cleanup() {
  local status=$?
  trap - EXIT
  if [[ -n $SRC_ENTRY_FILE ]]; then
    as_root rm -f "$SRC_ENTRY_FILE" || warn "could not remove '$SRC_ENTRY_FILE'"
    if logged as_root apt-get -o DPkg::Lock::Timeout=300 update; then
      say "removed $SRC_ENTRY_FILE and refreshed apt lists"
    else
      warn "apt-get update after removing '$SRC_ENTRY_FILE' failed (see $LOG)"
    fi
  fi
  [[ -n $TMP_DIR ]] && rm -rf "$TMP_DIR"
  exit "$status"
}

# Installs only the build tools that are missing.
ensure_tools() {
  local -A pkg_for=([gcc]=gcc [make]=make [strip]=binutils [readelf]=binutils [nm]=binutils
    [objdump]=binutils [dpkg-source]=dpkg-dev [patch]=patch [bzip2]=bzip2 [xz]=xz-utils)
  local -A missing=()
  local tool
  for tool in "${!pkg_for[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing[${pkg_for[$tool]}]=1
  done
  [[ -f /usr/include/stdio.h ]] || missing[libc6-dev]=1
  [[ -f $KEYRING ]] || missing[debian-archive-keyring]=1
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing build tools (${!missing[*]}) and no apt-get"
  say "installing build tools: ${!missing[*]}"
  apt_update
  logged as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y \
    --no-install-recommends "${!missing[@]}" || die "apt-get install ${!missing[*]} failed"
}

source_visible() {
  apt-get source --print-uris -qq "$@" >/dev/null 2>&1
}

# all: every package (and every libbpf suite) is visible; any: at least one libbpf suite is.
# Leaves what apt cannot see in NOT_VISIBLE.
sources_visible() {
  local mode=$1 spec found=0
  NOT_VISIBLE=()
  for spec in "elfutils/$ELFUTILS_SUITE" "zlib/$ZLIB_SUITE"; do
    source_visible "$spec" || NOT_VISIBLE+=("$spec")
  done
  for spec in "${LIBBPF_SUITES[@]/#/libbpf/}"; do
    if source_visible "$spec"; then found=1; else NOT_VISIBLE+=("$spec"); fi
  done
  if [[ $mode == all ]]; then
    ((${#NOT_VISIBLE[@]} == 0))
  else
    ((found)) && [[ ${NOT_VISIBLE[*]} != *elfutils/* && ${NOT_VISIBLE[*]} != *zlib/* ]]
  fi
}

# Adds a temporary deb-src entry unless apt can already see every source package we may need.
ensure_sources() {
  local parts="" entry
  eval "$(apt-config shell parts Dir::Etc::sourceparts/d)"
  [[ -n $parts ]] || die "cannot find apt's sources.list.d directory"
  entry=${parts%/}/$SRC_ENTRY_NAME
  # A run that was killed outright leaves its entry behind: adopt it so that it goes away on exit.
  [[ -e $entry ]] && SRC_ENTRY_FILE=$entry
  if [[ ${LIBBPF_BUNDLE_ADD_SRC:-0} != 1 ]] && sources_visible all; then
    say "Debian source packages are visible to apt"
    return 0
  fi
  SRC_ENTRY_FILE=$entry
  say "adding temporary deb-src entry $SRC_ENTRY_FILE"
  as_root tee "$SRC_ENTRY_FILE" >/dev/null <<EOF || die "cannot write '$SRC_ENTRY_FILE'"
# Temporary entry written by ebpf_exporter's ffi/build-libbpf.sh; removed when it exits.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates trixie
Components: main
Signed-By: $KEYRING

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: $KEYRING
EOF
  apt_update
  sources_visible any ||
    die "apt cannot see source packages ${NOT_VISIBLE[*]} even after adding '$SRC_ENTRY_FILE'"
}

# Downloads and unpacks one source package into its own directory under $SRC.
# Sets FETCHED_DIR (the unpacked tree) and FETCHED_VERSION (the Debian version).
fetch_source() {
  local spec=$1 dest=$SRC/${1%%/*}
  rm -rf "$dest" && mkdir -p "$dest" || return 1
  (cd "$dest" && logged apt-get source -q "$spec") || return 1
  local dsc
  dsc=$(find "$dest" -maxdepth 1 -name '*.dsc' | head -n 1)
  FETCHED_DIR=$(find "$dest" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  [[ -n $dsc && -n $FETCHED_DIR ]] || return 1
  FETCHED_VERSION=$(sed -n 's/^Version: *//p' "$dsc" | head -n 1)
  [[ -n $FETCHED_VERSION ]]
}

build_zlib() {
  say "fetching zlib/$ZLIB_SUITE"
  fetch_source "zlib/$ZLIB_SUITE" || die "could not fetch the zlib source package"
  ZLIB_DIR=$FETCHED_DIR ZLIB_VERSION=$FETCHED_VERSION
  say "building zlib $ZLIB_VERSION"
  (cd "$ZLIB_DIR" && CFLAGS="-O2 -g0 -fPIC" logged ./configure --static) ||
    die "zlib configure failed"
  logged make -C "$ZLIB_DIR" -j"$JOBS" libz.a || die "zlib build failed"
}

build_elfutils() {
  say "fetching elfutils/$ELFUTILS_SUITE"
  fetch_source "elfutils/$ELFUTILS_SUITE" || die "could not fetch the elfutils source package"
  ELFUTILS_DIR=$FETCHED_DIR ELFUTILS_VERSION=$FETCHED_VERSION
  say "building libelf from elfutils $ELFUTILS_VERSION"
  # Our own zlib, so the build does not depend on zlib1g-dev being installed.
  (cd "$ELFUTILS_DIR" && CFLAGS="-O2 -g0 -fPIC" CPPFLAGS="-I$ZLIB_DIR" LDFLAGS="-L$ZLIB_DIR" \
    logged ./configure --disable-debuginfod --disable-libdebuginfod --disable-nls \
    --without-zstd --without-bzlib --without-lzma --without-valgrind) ||
    die "elfutils configure failed"
  logged make -C "$ELFUTILS_DIR/lib" -j"$JOBS" || die "elfutils lib/ build failed"
  logged make -C "$ELFUTILS_DIR/libelf" -j"$JOBS" libelf_pic.a || die "libelf_pic.a build failed"
}

# Compiles libbpf's shared objects and links them with libelf and zlib. Returns non-zero on failure
# so that the caller can fall back to an older suite.
build_libbpf_from() {
  local suite=$1 dir list objs
  say "fetching libbpf/$suite"
  fetch_source "libbpf/$suite" || return 1
  dir=$FETCHED_DIR
  say "building libbpf $FETCHED_VERSION"
  # Ask libbpf's own Makefile which objects make up the shared library.
  # shellcheck disable=SC2016 # $(SHARED_OBJS) is for make, not for the shell
  list=$(printf 'print-shared-objs:\n\t@echo $(SHARED_OBJS)\n' |
    make -s -C "$dir/src" -f Makefile -f - OBJDIR=build NO_PKG_CONFIG=1 print-shared-objs \
      2>>"$LOG") || return 1
  read -r -a objs <<<"$list"
  ((${#objs[@]})) || return 1
  # No -Werror: a newer compiler's new warning must not break the build.
  logged make -C "$dir/src" -j"$JOBS" OBJDIR=build NO_PKG_CONFIG=1 \
    CFLAGS="-O2 -g0 -Wall -std=gnu89" \
    EXTRA_CFLAGS="-I$ELFUTILS_DIR/libelf -I$ZLIB_DIR" "${objs[@]}" || return 1
  # --exclude-libs keeps libelf and zlib symbols private; libbpf.map decides what is exported.
  (cd "$dir/src" && logged gcc -shared -Wl,--version-script=libbpf.map \
    -Wl,-soname,libbpf_bundle.so -Wl,-z,defs -Wl,--exclude-libs,ALL -Wl,--gc-sections \
    -o "$SRC/libbpf_bundle.so" "${objs[@]}" "$ELFUTILS_DIR/libelf/libelf_pic.a" \
    "$ELFUTILS_DIR/lib/libeu.a" "$ZLIB_DIR/libz.a") || return 1
  logged strip --strip-unneeded "$SRC/libbpf_bundle.so" || return 1
  logged make -C "$dir/src" install_headers INCLUDEDIR="$SRC/include" DESTDIR= || return 1
  LIBBPF_VERSION=$FETCHED_VERSION LIBBPF_SUITE=$suite
}

build_libbpf() {
  local suite
  for suite in "${LIBBPF_SUITES[@]}"; do
    build_libbpf_from "$suite" && return 0
    warn "libbpf from $suite could not be fetched or built (see $LOG); trying the next suite"
    rm -rf "$SRC/include" "$SRC/libbpf_bundle.so"
  done
  die "libbpf did not build from any of: ${LIBBPF_SUITES[*]}"
}

# Checks the bundle: dependencies, relocations, exports, and that it loads and reports its version.
verify_bundle() {
  local so=$1 inc=$2 needed bad exports sym leaked version
  needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  bad=$(grep -vE '^(libc\.so\.6|ld-linux[-a-z0-9_.]*\.so\.[0-9]+)$' <<<"$needed" || true)
  [[ -z $bad ]] || die "bundle needs more than libc: $(tr '\n' ' ' <<<"$bad")"
  if readelf -d "$so" | grep -q TEXTREL; then die "bundle has text relocations (not PIC)"; fi
  exports=$(nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }')
  for sym in "${REQUIRED_EXPORTS[@]}"; do
    grep -qx "$sym" <<<"$exports" || die "bundle does not export '$sym'"
  done
  leaked=$(grep -E '^(g?elf|deflate|inflate|compress|uncompress|crc32|adler32|gz|z_)' \
    <<<"$exports" | head -n 3 || true)
  [[ -z $leaked ]] || die "bundle exports libelf/zlib symbols: $(tr '\n' ' ' <<<"$leaked")"
  EXPORT_COUNT=$(wc -l <<<"$exports")
  GLIBC_MAX=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)

  TMP_DIR=$(mktemp -d)
  # Including the installed headers here also checks that they compile for C programs.
  cat >"$TMP_DIR/check.c" <<'EOF'
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *lib = dlopen(argc > 1 ? argv[1] : "", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	__typeof__(&libbpf_major_version) major = (__typeof__(major))dlsym(lib, "libbpf_major_version");
	__typeof__(&libbpf_minor_version) minor = (__typeof__(minor))dlsym(lib, "libbpf_minor_version");
	if (!major || !minor) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return 1;
	}
	printf("%u.%u\n", major(), minor());
	return 0;
}
EOF
  logged gcc -O1 -Wall -Werror -I "$inc" -o "$TMP_DIR/check" "$TMP_DIR/check.c" -ldl ||
    die "the dlopen check program does not compile against the installed headers"
  version=$("$TMP_DIR/check" "$so") || die "the bundle does not load with dlopen"
  [[ $version == 1.* ]] || die "bundle reports libbpf version '$version', expected 1.x"
  BUNDLE_VERSION=$version

  # BPF-side headers: compile a tiny program when clang is around (it is not needed to build).
  if command -v clang >/dev/null 2>&1; then
    cat >"$TMP_DIR/check.bpf.c" <<'EOF'
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/usdt.bpf.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("usdt")
int BPF_USDT(check_probe, long value)
{
	__u32 key = 0;
	__u64 *slot = bpf_map_lookup_elem(&hits, &key);

	if (slot)
		__sync_fetch_and_add(slot, value + bpf_ntohs(1));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
EOF
    local arch
    arch=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
    logged clang -O2 -g -target bpf -D__TARGET_ARCH_"$arch" -I "$inc" \
      -idirafter "/usr/include/$(gcc -dumpmachine)" -c "$TMP_DIR/check.bpf.c" \
      -o "$TMP_DIR/check.bpf.o" ||
      die "a BPF program does not compile against the installed headers"
  fi
}

# Checks ffi/structs.ts against the installed headers: generates _Static_asserts with Deno and #structs-check
# compiles them (no libbpf rebuild). Lines ending in this marker are left out of the stamp's #structs-check
# hash, so a change to the check never rebuilds the bundle. Skipped, loudly, without Deno. #structs-check
check_structs() { #structs-check
  local deno=${DENO:-$(cat "$ROOT/tools/.deno-path" 2>/dev/null || command -v deno || true)} #structs-check
  if [[ -z $deno ]]; then warn "no deno: struct layout check skipped"; return 0; fi #structs-check
  local c #structs-check
  c=$(mktemp --suffix=.c) #structs-check
  "$deno" run --no-lock "$ROOT/ffi/structs_check.ts" >"$c" || { rm -f "$c"; die "cannot generate the struct layout check"; } #structs-check
  gcc -fsyntax-only -Wall -Werror -I "$INC" "$c" || { rm -f "$c"; die "ffi/structs.ts does not match the headers"; } #structs-check
  rm -f "$c" #structs-check
  say "struct layouts in ffi/structs.ts match the headers" #structs-check
} #structs-check
 #structs-check
main() {
  SCRIPT_HASH=$(sha256sum "$SCRIPT" | cut -d' ' -f1)
  SCRIPT_HASH=$(grep -v ' #structs-check$' "$SCRIPT" | sha256sum | cut -d' ' -f1) #structs-check
  mkdir -p "$OUT"
  exec 9>"$OUT/.lock"
  flock 9
  if [[ ${LIBBPF_BUNDLE_FORCE:-0} != 1 ]] && bundle_is_current; then
    touch -c "$SO" # keeps make's "script newer than .so" rule quiet after a checkout
    echo "libbpf_bundle.so is up to date: $SO ($(head -n 1 "$VERSION_FILE"))"
    check_structs #structs-check
    return 0
  fi

  local started=$SECONDS
  ((${#LIBBPF_SUITES[@]})) || die "no suite to take libbpf from"
  rm -rf "$SO" "$INC" "$STAMP" "$VERSION_FILE" "$SRC"
  mkdir -p "$SRC"
  : >"$LOG"
  say "building $SO (log: $LOG)"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  ensure_tools
  command -v apt-get >/dev/null 2>&1 || die "apt-get is needed to fetch Debian source packages"
  ensure_sources
  build_zlib
  build_elfutils
  build_libbpf

  verify_bundle "$SRC/libbpf_bundle.so" "$SRC/include"
  local h
  for h in "${REQUIRED_HEADERS[@]}"; do
    [[ -f $SRC/include/bpf/$h ]] || die "libbpf did not install header '$h'"
  done

  mv "$SRC/include" "$INC"
  mv "$SRC/libbpf_bundle.so" "$SO"
  cat >"$VERSION_FILE" <<EOF
libbpf $LIBBPF_VERSION (Debian $LIBBPF_SUITE source; reports $BUNDLE_VERSION)
elfutils $ELFUTILS_VERSION (Debian $ELFUTILS_SUITE source)
zlib $ZLIB_VERSION (Debian $ZLIB_SUITE source)
EOF
  [[ ${LIBBPF_BUNDLE_KEEP_SRC:-0} == 1 ]] || rm -rf "$SRC"
  echo "$SCRIPT_HASH" >"$STAMP"

  say "done in $((SECONDS - started)) s: $SO"
  printf '    size %s bytes (stripped), libbpf %s, %s exported symbols, needs up to %s\n' \
    "$(stat -c %s "$SO")" "$BUNDLE_VERSION" "$EXPORT_COUNT" "$GLIBC_MAX"
  sed 's/^/    /' "$VERSION_FILE"
  check_structs #structs-check
}

main "$@"
