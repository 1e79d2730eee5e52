# dealwright — a thin wrapper over Meson + Ninja.
#   make          build (installs missing Debian packages when run as root)
#   make demo     build and run the main job on the example workspace
#   make install  install the binary, libdealwright.so, the headers (include/dealwright/) and
#                 dealwright.pc under PREFIX (/usr/local); DESTDIR stages them elsewhere
#   make test     build, install the test packages, run every test (unit, conformance,
#                 end-to-end, the browser test); a skipped test fails the run
#   make soak     SOAK_SECONDS (1800) of mixed load on `dealwright serve`; fails unless the
#                 server's memory is flat within 10 % after warm-up (docs/internals/server.md)
#   make bench    build optimised and run the benchmarks
#   make asan     build with ASan + UBSan and run the unit and end-to-end tests
#   make fuzz     build the libFuzzer targets with clang and run each for 20 s on its seeds
#   make fuzz-long  run each fuzz target for FUZZ_SECONDS (600), FUZZ_JOBS (2) at a time

# What building needs (`make`), and what the tests need on top (`make test`): the tools the
# end-to-end scripts call, the formatter, and the browser test's chromium, Node.js and npm
# (the npm packages themselves are pinned in tests/e2e/npm/package-lock.json and installed
# with `npm ci` into the build tree).
DEB_PACKAGES := gcc meson ninja-build pkg-config python3 \
                libjansson-dev libfyaml-dev libsqlite3-dev libpcre2-dev libsodium-dev \
                libcmocka-dev libxgboost-dev libstemmer-dev libssl-dev libglpk-dev \
                libmicrohttpd-dev libcurl4-openssl-dev libgmime-3.0-dev libical-dev \
                libcairo2-dev libpango1.0-dev libmd4c-dev libmd4c-html0-dev \
                libexttextcat-dev libexttextcat-data libxml2-dev libpq-dev libnats-dev \
                libmimalloc-dev
TEST_DEB_PACKAGES := sqlite3 curl prometheus clang-format chromium nodejs npm poppler-utils \
                     python3-icalendar postgresql nats-server
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_BENCH ?= build-bench

.PHONY: all deps test-deps build demo test bench asan clean format check-format fuzz fuzz-long \
        soak install

# $(call install_packages,LIST): install the Debian packages of LIST that are missing when
# run as root; otherwise print the exact apt-get line and fail. A package counts as present
# when it is installed or an installed package provides it (a Node.js build that bundles
# npm provides npm, and conflicts with Debian's).
define install_packages
	@provided=$$(dpkg-query -W -f='$${Status}|$${Provides}\n' 2>/dev/null | \
	  sed -n 's/^install ok installed|//p' | tr ',' '\n' | sed 's/(.*//; s/ //g'); \
	missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || \
	    printf '%s\n' $$provided | grep -qx "$$p" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages; run:"; echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

all: build

deps:
	$(call install_packages,$(DEB_PACKAGES))

test-deps: deps
	$(call install_packages,$(TEST_DEB_PACKAGES))

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	./$(BUILD)/src/dealwright demo

# The prefix is a build option (the paths in dealwright.pc follow it): set it, rebuild what
# depends on it, then install (into $(DESTDIR) when set, as packagers do).
PREFIX  ?= /usr/local
DESTDIR ?=
install: build
	meson configure $(BUILD) -Dprefix=$(PREFIX)
	ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR))

# A skipped test is a failure: tests/check_no_skips.py reads meson's test log and names it.
# TESTS="NAME..." runs only those (meson test names or --suite S).
TESTS ?=
test: build test-deps
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 $(TESTS)
	python3 tests/check_no_skips.py $(BUILD)/meson-logs/testlog.json

$(BUILD_BENCH)/build.ninja: | deps
	meson setup $(BUILD_BENCH) --buildtype=release -Db_ndebug=true

bench: deps $(BUILD_BENCH)/build.ninja
	ninja -C $(BUILD_BENCH)
	./$(BUILD_BENCH)/bench/dealwright-bench
	./$(BUILD_BENCH)/bench/dealwright-bench report
	./$(BUILD_BENCH)/bench/dealwright-bench-cel
	./$(BUILD_BENCH)/bench/dealwright-bench-pricing
	./$(BUILD_BENCH)/bench/dealwright-bench-configure
	./$(BUILD_BENCH)/bench/dealwright-bench-mail
	./$(BUILD_BENCH)/bench/dealwright-bench-documents
	./$(BUILD_BENCH)/bench/dealwright-bench-models
	./$(BUILD_BENCH)/bench/dealwright-bench-serve ./$(BUILD_BENCH)/src/dealwright
	# the control plane as workers leasing deals: SQLite, then PostgreSQL (a throwaway
	# cluster each) with 1 and 2 workers (docs/internals/scale-out.md "Capacity")
	./$(BUILD_BENCH)/bench/dealwright-bench pipeline 2000 --workers 2
	tests/with_pg.sh ./$(BUILD_BENCH)/bench/dealwright-bench pipeline 2000 --workers 1 --db '{pg}/postgres'
	tests/with_pg.sh ./$(BUILD_BENCH)/bench/dealwright-bench pipeline 2000 --workers 2 --db '{pg}/postgres'

$(BUILD_ASAN)/build.ninja: | deps
	meson setup $(BUILD_ASAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

asan: test-deps $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  meson test -C $(BUILD_ASAN) --print-errorlogs --num-processes 2 --suite unit --suite e2e --suite conformance \
	  --suite hostile --suite scenarios
	python3 tests/check_no_skips.py $(BUILD_ASAN)/meson-logs/testlog.json

# ---- soak (docs/internals/server.md "Soak") ---------------------------------------------
SOAK_SECONDS ?= 1800
SOAK_DEALS   ?= 100000
SOAK_SAMPLE  ?= 10
soak: test-deps $(BUILD_BENCH)/build.ninja
	ninja -C $(BUILD_BENCH)
	./$(BUILD_BENCH)/bench/dealwright-soak --seconds $(SOAK_SECONDS) --deals $(SOAK_DEALS) \
	  --sample $(SOAK_SAMPLE) --csv $(BUILD_BENCH)/soak-rss.csv ./$(BUILD_BENCH)/src/dealwright

format: test-deps
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format: test-deps
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_BENCH) $(BUILD_FUZZ)

# ---- fuzzing (docs/internals/fuzzing.md) ------------------------------------------------
# libFuzzer ships with clang's compiler-rt: on Debian 12 that is libclang-rt-14-dev, which
# `clang` does not pull in; libclang-rt-dev is the metapackage matching the default clang.
FUZZ_DEB_PACKAGES := clang libclang-rt-dev
BUILD_FUZZ   ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 2
FUZZ_TARGETS := lead mustache extract workspace cel csv ask mail document
FUZZ_ENV     := DW_SOURCE_ROOT=$(CURDIR) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

define fuzz_setup
	$(call install_packages,$(FUZZ_DEB_PACKAGES))
	@t=$$(mktemp -d) && printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }' > $$t/t.c && \
	  clang -fsanitize=fuzzer,address,undefined $$t/t.c -o $$t/t >$$t/log 2>&1; r=$$?; \
	  [ $$r = 0 ] || { cat $$t/log; echo "clang cannot link -fsanitize=fuzzer (libFuzzer missing?)"; }; \
	  rm -rf $$t; exit $$r
	@test -f $(BUILD_FUZZ)/build.ninja || CC=clang meson setup $(BUILD_FUZZ) -Dfuzz=true \
	  -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(BUILD_FUZZ)
endef

fuzz: deps
	$(fuzz_setup)
	meson test -C $(BUILD_FUZZ) --suite fuzz --print-errorlogs --num-processes $(FUZZ_JOBS)
	python3 tests/check_no_skips.py $(BUILD_FUZZ)/meson-logs/testlog.json

# Each target runs on a scratch corpus in the build tree (kept between runs, so a long run
# resumes where the last ended) plus the committed seeds; findings go to
# $(BUILD_FUZZ)/fuzz/NAME-crash-*, the log to $(BUILD_FUZZ)/fuzz/NAME.log.
fuzz-long: deps
	$(fuzz_setup)
	@echo "fuzzing $(FUZZ_TARGETS) for $(FUZZ_SECONDS) s each, $(FUZZ_JOBS) at a time"
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_JOBS) -I NAME sh -c ' \
	  d=$(BUILD_FUZZ)/fuzz; mkdir -p $$d/corpus/NAME; \
	  $(FUZZ_ENV) $$d/fuzz-NAME -max_total_time=$(FUZZ_SECONDS) -timeout=5 -print_final_stats=1 \
	    -artifact_prefix=$$d/NAME- $$d/corpus/NAME fuzz/corpus/NAME >$$d/NAME.log 2>&1; r=$$?; \
	  echo "NAME: exit $$r: $$(grep -E "^#[0-9]+" $$d/NAME.log | tail -1)"; exit $$r'
