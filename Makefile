# dealwright — a thin wrapper over Meson + Ninja.
#   make          build (installs missing Debian packages when run as root)
#   make demo     build and run the main job on the example workspace
#   make test     build and run every test (unit, conformance, end-to-end)
#   make bench    build optimised and run the benchmarks
#   make asan     build with ASan + UBSan and run the unit and end-to-end tests

DEB_PACKAGES := gcc meson ninja-build pkg-config python3 sqlite3 \
                libjansson-dev libfyaml-dev libsqlite3-dev libpcre2-dev libsodium-dev \
                libcmocka-dev clang-format
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_BENCH ?= build-bench

.PHONY: all deps build demo test bench asan clean format check-format

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages; run:"; echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	./$(BUILD)/src/dealwright demo

test: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2

$(BUILD_BENCH)/build.ninja: | deps
	meson setup $(BUILD_BENCH) --buildtype=release -Db_ndebug=true

bench: deps $(BUILD_BENCH)/build.ninja
	ninja -C $(BUILD_BENCH)
	./$(BUILD_BENCH)/bench/dealwright-bench

$(BUILD_ASAN)/build.ninja: | deps
	meson setup $(BUILD_ASAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

asan: deps $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  meson test -C $(BUILD_ASAN) --print-errorlogs --num-processes 2 --suite unit --suite e2e --suite conformance

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_BENCH)
