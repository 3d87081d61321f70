# Quick start: `make test` (install what is missing, build, test) and `make run` (serve the
# timers example on :9435). Both need root on Debian/Ubuntu to install packages and load BPF.

DENO_VERSION := 2.9.6
TOOLS := $(CURDIR)/tools
LOCAL_DENO := $(TOOLS)/node_modules/deno/deno
DENO = $(shell cat $(TOOLS)/.deno-path 2>/dev/null || echo $(LOCAL_DENO))
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
LIBBPF_DIR := $(CURDIR)/build/libbpf
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
	-I include/$(ARCH) -I bpf -I $(LIBBPF_DIR)/include \
	-idirafter /usr/include/$(shell uname -m)-linux-gnu -idirafter /usr/include
APT_PACKAGES := clang llvm libbpf-dev libelf-dev zlib1g-dev libzstd-dev zstd bpftool make gcc
TEST_PACKAGES := prometheus systemtap-sdt-dev iproute2 libcap2-bin pci.ids chromium curl openssl systemd
VM_PACKAGES := qemu-system-x86 busybox-static kmod debian-archive-keyring
EXAMPLE_SOURCES := $(wildcard examples/*.bpf.c)
EXAMPLE_OBJECTS := $(EXAMPLE_SOURCES:.bpf.c=.bpf.o)
FIXTURE_SOURCES := $(wildcard tests/fixtures/*/*.bpf.c)
FIXTURE_OBJECTS := $(FIXTURE_SOURCES:.bpf.c=.bpf.o)
NATIVE_DIR := $(CURDIR)/build/native
APP_SOURCES := $(shell find src ffi -name '*.ts' 2>/dev/null)

.PHONY: all deps deps-test deno libbpf native examples fixtures host test test-unit test-kernels deps-vm kernel-support verify check-structs run build clean start check fmt lint golden bench schema

all: examples

# Installs missing system packages (root + apt only) and a pinned Deno unless one is on PATH.
deps:
	@if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "This is not a Debian/Ubuntu system. Install: $(APT_PACKAGES), Node.js with npm," \
	       "and Deno $(DENO_VERSION) (npm install deno@$(DENO_VERSION)); then run make again." >&2; \
	  exit 1; fi
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "Missing packages:$$missing. Run as root, or: sudo apt-get install -y$$missing" >&2; exit 1; fi; \
	  echo "Installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi
	@$(MAKE) --no-print-directory deno

deps-test:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(TEST_PACKAGES)"

# Uses a deno on PATH when it is version 2.9 or newer, else installs the pinned one from npm.
deno:
	@mkdir -p $(TOOLS); \
	if command -v deno >/dev/null 2>&1 && deno --version | head -1 | \
	   awk '{ split($$2, v, "."); exit !(v[1] > 2 || (v[1] == 2 && v[2] >= 9)) }'; then \
	  command -v deno > $(TOOLS)/.deno-path; \
	elif [ -x $(LOCAL_DENO) ] && $(LOCAL_DENO) --version | grep -q "^deno $(DENO_VERSION) "; then \
	  echo $(LOCAL_DENO) > $(TOOLS)/.deno-path; \
	else \
	  if ! command -v npm >/dev/null 2>&1; then \
	    echo "Deno $(DENO_VERSION) is needed: install Node.js and npm (apt-get install npm), or Deno itself" >&2; exit 1; fi; \
	  echo "Installing deno@$(DENO_VERSION) from npm into tools/"; \
	  (cd $(TOOLS) && npm install --no-save --no-audit --no-fund --loglevel=error --prefix . deno@$(DENO_VERSION)) && \
	  echo $(LOCAL_DENO) > $(TOOLS)/.deno-path; \
	fi

libbpf: $(LIBBPF_DIR)/libbpf_bundle.so

$(LIBBPF_DIR)/libbpf_bundle.so: ffi/build-libbpf.sh
	ffi/build-libbpf.sh

examples: libbpf native $(EXAMPLE_OBJECTS)

# The helper that applies --capabilities.keep to every thread (ffi/threadcaps.c).
native: $(NATIVE_DIR)/libthreadcaps.so

$(NATIVE_DIR)/libthreadcaps.so: ffi/threadcaps.c
	@mkdir -p $(NATIVE_DIR)
	gcc -O2 -Wall -Wextra -Werror -shared -fPIC -s -o $@ $<

# The single-file binary: Deno + bundled app + libbpf + examples behind pack/launcher.c.
build: ebpf_exporter

ebpf_exporter: pack/launcher.c pack/build.sh pack/launcher_permissions.ts pack/runtime_flags.ts main.ts deno.json $(APP_SOURCES) \
		$(LIBBPF_DIR)/libbpf_bundle.so $(NATIVE_DIR)/libthreadcaps.so $(EXAMPLE_OBJECTS) \
		$(wildcard examples/*.yaml) | deno
	DENO=$(DENO) pack/build.sh $@

fixtures: libbpf $(FIXTURE_OBJECTS)

$(FIXTURE_OBJECTS): $(wildcard tests/fixtures/*/*.h)

%.bpf.o: %.bpf.c bpf/*.h include/$(ARCH)/vmlinux.h $(LIBBPF_DIR)/libbpf_bundle.so
	clang $(BPF_CFLAGS) -c $< -o $@

# Compiles _Static_asserts generated from ffi/structs.ts against libbpf's and the kernel's headers:
# a struct offset the FFI layer writes that drifted from the headers fails here.
check-structs: libbpf | deno
	@mkdir -p build
	$(DENO) run ffi/structs_check.ts > build/structs_check.c
	gcc -fsyntax-only -Wall -Werror -I $(LIBBPF_DIR)/include build/structs_check.c

verify: check-structs
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check main.ts src/ ffi/ tests/

# Kernel interfaces the kernel tests use and a fresh host may not have mounted (root only; a
# non-root run skips the kernel tests anyway).
host:
	@if [ "$$(id -u)" = 0 ] && [ ! -e /sys/kernel/tracing/events ]; then \
	  mount -t tracefs tracefs /sys/kernel/tracing && echo "Mounted tracefs on /sys/kernel/tracing"; fi

TEST_RESULTS := $(CURDIR)/build/test-results

test: deps-test examples fixtures verify host
	@rm -rf $(TEST_RESULTS) && mkdir -p $(TEST_RESULTS)
	@$(DENO) run --no-check -P=test tests/vm/features.ts > $(TEST_RESULTS)/host-features.json
	EBPF_EXPORTER_TEST_NOTES=$(TEST_RESULTS)/host-notes.jsonl \
	  $(DENO) test -P=test --junit-path=$(TEST_RESULTS)/host.xml tests/

deps-vm:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(TEST_PACKAGES) $(VM_PACKAGES)"

# The kernel matrix: the kernel tests in QEMU guests of every kernel in tests/vm/kernels.list
# (downloaded from Debian's archive into build/kernels/). KERNELS=6.1,6.12 or ONLY=file,... narrow
# it; run `make test` first for the host column.
test-kernels: deps-vm examples fixtures
	$(DENO) run -P=test tests/vm/matrix.ts \
	  $(if $(KERNELS),--kernels $(KERNELS)) $(if $(ONLY),--only $(ONLY))

# Rewrites README.md's kernel support table from the last matrix run.
kernel-support:
	$(DENO) run --allow-read --allow-write tests/vm/matrix.ts --readme

test-unit: examples fixtures
	$(DENO) test -P=test tests/ --ignore=tests/kernel

run: deps examples
	$(DENO) run -P=exporter main.ts --config.dir examples --config.names timers

# The task runner's jobs through the Deno make installed (tools/ is not on PATH, and sudo resets
# PATH anyway): `sudo make start ARGS="--config.names timers"`, `make check`, ...
start: deps libbpf native
	@$(DENO) run -P=exporter main.ts $(ARGS)

check: | deno
	$(DENO) check main.ts src/ ffi/ tests/

fmt: | deno
	$(DENO) fmt $(ARGS)

lint: | deno
	$(DENO) lint $(ARGS)

golden: | deno
	$(DENO) run -P=test tests/e2e/golden.ts $(ARGS)

bench: examples
	$(DENO) run -P=bench bench/main.ts $(ARGS)

# Rewrites schema/config.schema.json from the config key table (src/config/keys.ts).
schema: | deno
	$(DENO) run -P=exporter main.ts --config.schema > schema/config.schema.json

clean:
	rm -f examples/*.bpf.o tests/fixtures/*/*.bpf.o ebpf_exporter
	rm -rf build
