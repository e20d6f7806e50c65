# libFuzzer targets (tests/fuzz/README.md). Included from the Makefile after its variables:
# the library code is built again into build-fuzz/ with clang, libFuzzer's coverage and
# AddressSanitizer + UndefinedBehaviorSanitizer, with the same include and define flags as
# ALL_CFLAGS (its optimisation flags, $(CFLAGS), are replaced by -g -O1).
#   make fuzz          every target FUZZ_SECONDS (60) each, regression inputs first
#   make fuzz-short    the same, 10 s each (make check's pass)
#   make fuzz-build    only build; build-fuzz/fuzz_<target> runs like any libFuzzer binary
# FUZZ_TARGETS=wire make fuzz runs some; FUZZ_MERGE=1 adds the new inputs worth keeping to the
# checked-in corpus tests/fuzz/corpus/<target>/ (not done by default).

FUZZ_BUILD   := build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= wire ingest inventory config profile classify http snmp lanframe
FUZZ_MERGE   ?= 0
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := $(filter-out $(CFLAGS),$(ALL_CFLAGS)) -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link $(FUZZ_SAN)

FUZZ_SRC  := $(COMMON_SRC) $(filter-out probe/main.c,$(PROBE_SRC)) \
	$(filter-out collector/main.c,$(COLLECTOR_SRC))
FUZZ_OBJ  := $(FUZZ_SRC:%.c=$(FUZZ_BUILD)/%.o)
# An archive: a target that compiles a library file into itself (to reach its static
# functions: fuzz_snmp has probe/poller.c, fuzz_http collector/web.c) does not get that
# file's object as well, since nothing left undefined asks for it.
FUZZ_LIB  := $(FUZZ_BUILD)/libhbmon-fuzz.a
FUZZ_MAIN := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)
FUZZ_BIN  := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-short fuzz-build fuzz-clean fuzz-cc-present

fuzz-cc-present:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
		echo "fuzz: $(FUZZ_CC) not found: install clang (make deps)"; exit 1; }

$(FUZZ_OBJ): $(FUZZ_BUILD)/%.o: %.c | pkgs-present fuzz-cc-present
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_MAIN): $(FUZZ_BUILD)/tests/fuzz/%.o: tests/fuzz/%.c | pkgs-present fuzz-cc-present
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Iprobe -Icollector -DFUZZ_SRCDIR='"$(CURDIR)"' -c $< -o $@

$(FUZZ_BIN): $(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(AGENT_LIBS) $(LIBS_PKG)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_MERGE=$(FUZZ_MERGE) sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# (a target-specific value, not a recursive make: this file may be given with -f)
fuzz-short: FUZZ_SECONDS = 10
fuzz-short: fuzz

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

-include $(wildcard $(FUZZ_BUILD)/*/*.d $(FUZZ_BUILD)/tests/fuzz/*.d)
