# hbmon — plain Makefile. `make` builds into build/, `make check` runs every test twice:
# with the normal build and with an AddressSanitizer + UndefinedBehaviorSanitizer build.

BUILD   ?= build
MAKEFLAGS += --no-print-directory
SAN     ?= 0
PREFIX  ?= /usr/local
PYTHON  ?= /usr/bin/python3
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)

# Flags are read when make starts: targets that may install packages first (`check`, `demo`)
# run `make deps` and then build in a fresh make, which reads the newly installed .pc files.
PKGS    := netsnmp librrd libmicrohttpd libcurl json-c inih sqlite3 gnutls zlib libcap libsodium \
	xlsxwriter libpcap
CFLAGS_PKG := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS_PKG   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread
# The collector is an AgentX subagent (collector/agentx.c): net-snmp's agent library only, not
# the MIB modules of snmpd (-lnetsnmpmibs, which pkg-config netsnmp-agent adds, drags in
# lm-sensors and libpci for nothing).
AGENT_LIBS := -lnetsnmpagent

WARN    := -Wall -Wextra -Wformat=2 -Wimplicit-fallthrough -Wshadow -Wstrict-prototypes -Werror
CFLAGS  ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) -Icommon $(CFLAGS_PKG) -MMD -MP \
	-DHBMON_PROFILES_DIR='"$(PREFIX)/share/hbmon/profiles"' \
	-DHBMON_DASHBOARDS_DIR='"$(PREFIX)/share/hbmon/dashboards"'

COMMON_SRC    := $(wildcard common/*.c)
PROBE_SRC     := $(wildcard probe/*.c)
COLLECTOR_SRC := $(wildcard collector/*.c)
UNIT_SRC      := $(wildcard tests/unit/test_*.c)

COMMON_OBJ    := $(COMMON_SRC:%.c=$(BUILD)/%.o)
PROBE_LIB_OBJ := $(filter-out $(BUILD)/probe/main.o,$(PROBE_SRC:%.c=$(BUILD)/%.o))
COLL_LIB_OBJ  := $(filter-out $(BUILD)/collector/main.o,$(COLLECTOR_SRC:%.c=$(BUILD)/%.o))
UNIT_BIN      := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# llvm (llvm-symbolizer) and libc6-dbg: sanitizer reports name libc's own frames, which is what
# tests/lsan.supp matches (without them a fresh machine reports librrd's kept strings as leaks)
DEB_PKGS := build-essential pkg-config libsnmp-dev snmp snmpd snmpsim librrd-dev rrdtool \
	rrdcached libmicrohttpd-dev libcurl4-openssl-dev libjson-c-dev libinih-dev libcsv-dev \
	libcmocka-dev libsqlite3-dev libgnutls28-dev zlib1g-dev libcap-dev libsodium-dev python3 python3-pytest python3-aiosmtpd fonts-dejavu-core chromium \
	chromium-driver python3-selenium \
	iproute2 faketime llvm libc6-dbg systemd valgrind clang libclang-rt-dev collectd-core prometheus-snmp-exporter prometheus wrk \
	libxlsxwriter-dev libreoffice-calc-nogui \
	libpcap-dev ieee-data tcpdump smitools snmptrapd

.PHONY: all deps check check-asan unit system demo bench bench-snmp bench-readiness bench-overview bench-metrics bench-lan bench-snmp-walk soak install clean lint \
	check-future fresh-check pkgs-present

all: $(BUILD)/hbmon-probe $(BUILD)/hbmon-collector $(UNIT_BIN)

# Without the -dev packages every compile would fail on a missing header: say what to run.
pkgs-present:
	@pkg-config --exists $(PKGS) 2>/dev/null || { pkg-config --print-errors --exists $(PKGS); \
		echo "missing libraries: run 'make deps' (or 'make check' / 'make demo', which run it)"; \
		exit 1; }

$(BUILD)/%.o: %.c | pkgs-present
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/hbmon-probe: $(BUILD)/probe/main.o $(PROBE_LIB_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_PKG)

$(BUILD)/hbmon-collector: $(BUILD)/collector/main.o $(COLL_LIB_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS) $(LIBS_PKG)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(PROBE_LIB_OBJ) $(COLL_LIB_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS) $(LIBS_PKG) -lcmocka

$(BUILD)/tests/unit/%.o: tests/unit/%.c | pkgs-present
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iprobe -Icollector -c $< -o $@

# libFuzzer targets: make fuzz, make fuzz-short (tests/fuzz/README.md)
include tests/fuzz/fuzz.mk

# Installs exactly the Debian packages that are missing (needs root or sudo).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
			|| missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: installing$$missing"; \
	SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing

unit: all
	@set -e; export TZ=Asia/Ho_Chi_Minh HBMON_SHARED=$(CURDIR)/../shared \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0; \
	for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# (tests/system/run.py: the long real-time ones in a second pytest process beside the rest)
system: all
	HBMON_BUILDS="$(BUILDS)" $(PYTHON) tests/system/run.py tests/system

# Normal and sanitizer builds; unit tests of both, then the system tests against both; then
# every fuzz target for 10 s from its seed corpus, after its regression inputs.
check:
	$(MAKE) deps
	$(MAKE) -j$(JOBS) all
	$(MAKE) -j$(JOBS) all BUILD=build-asan SAN=1
	$(MAKE) unit
	$(MAKE) unit BUILD=build-asan SAN=1
	$(MAKE) system BUILDS="build build-asan"
	$(MAKE) -j$(JOBS) fuzz-build
	$(MAKE) fuzz-short

check-asan:
	$(MAKE) deps
	$(MAKE) unit BUILD=build-asan SAN=1
	$(MAKE) system BUILD=build-asan SAN=1 BUILDS="build-asan"

# The unit and system tests of both builds again with every test process's clock moved a year
# and five years ahead (libfaketime): no test may depend on today's date.
FUTURE ?= +365d +1825d
check-future:
	$(MAKE) deps
	$(MAKE) -j$(JOBS) all
	$(MAKE) -j$(JOBS) all BUILD=build-asan SAN=1
	@set -e; for off in $(FUTURE); do echo "== clock moved $$off"; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86:verify_asan_link_order=0 \
		faketime -f "$$off" $(MAKE) unit system BUILDS="build build-asan"; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86:verify_asan_link_order=0 \
		faketime -f "$$off" $(MAKE) unit BUILD=build-asan SAN=1; done

demo:
	$(MAKE) deps
	$(MAKE) all
	$(PYTHON) etc/demo/run-demo.py

# Both README commands on a new minimal Debian 12 root (debootstrap + chroot; root, network,
# ~30 min). Not part of `make check`.
fresh-check:
	bash tests/fresh/fresh-check.sh

# Storage benchmark: hbmon ingest vs raw rrd_update_r vs rrdcached BATCH, graphs (bench/README.md)
# Storage and graphs (bench/run.py, ~6 min), then SNMP polling side by side with collectd,
# snmp_exporter and a bare net-snmp loop (bench/snmp/run.py, ~11 min, root: a network namespace),
# then the LAN watch's capture path beside tcpdump (bench/lanwatch_replay.py, ~15 s).
bench: all
	$(PYTHON) bench/run.py
	$(PYTHON) bench/snmp/run.py
	$(PYTHON) bench/lanwatch_replay.py $(BUILD) --write

bench-lan: all
	$(PYTHON) bench/lanwatch_replay.py $(BUILD) --write

bench-snmp: all
	$(PYTHON) bench/snmp/run.py

# The readiness tick's CPU and the overview's render time at 150 communes × 30 devices
bench-readiness: all
	$(PYTHON) bench/readiness_tick.py $(BUILD)

# /metrics at 150 communes × 30 devices, with a read-only token (bench/metrics_scrape.py)
bench-metrics: all
	$(PYTHON) bench/metrics_scrape.py $(BUILD)

# A province's snmpbulkwalk of HBMON-MIB (the collector as snmpd's AgentX subagent) beside
# snmpd's own IF-MIB of a similar size (bench/snmp_walk.py; root: a network namespace)
bench-snmp-walk: all
	$(PYTHON) bench/snmp_walk.py $(BUILD)

# The overview under wrk, logged in, beside libmicrohttpd's static page (bench/overview_wrk.py)
bench-overview: all
	$(PYTHON) bench/overview_wrk.py $(BUILD)

# Soak: a simulated district at full polling load, faults on a schedule (tests/soak/run.py,
# ~15 min, root: a network namespace, a veth pair, a tmpfs); its table goes into bench/RESULTS.md
soak: all
	SOAK_BUILD=$(BUILD) $(PYTHON) tests/soak/run.py

lint:
	@! grep -nE '\b(sprintf|strcpy|strcat|gets|atoi|atof)\s*\(' common/*.c probe/*.c collector/*.c

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/hbmon/dashboards/i18n
	install -m 755 $(BUILD)/hbmon-probe $(BUILD)/hbmon-collector $(DESTDIR)$(PREFIX)/bin/
	install -m 644 dashboards/*.css dashboards/*.js dashboards/*.json \
		$(DESTDIR)$(PREFIX)/share/hbmon/dashboards/
	install -m 644 dashboards/i18n/*.ini $(DESTDIR)$(PREFIX)/share/hbmon/dashboards/i18n/
	install -d $(DESTDIR)$(PREFIX)/share/hbmon/profiles
	install -m 644 profiles/*.conf profiles/README.md $(DESTDIR)$(PREFIX)/share/hbmon/profiles/
	install -d $(DESTDIR)$(PREFIX)/share/snmp/mibs
	install -m 644 mibs/HBMON-MIB.txt $(DESTDIR)$(PREFIX)/share/snmp/mibs/

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
