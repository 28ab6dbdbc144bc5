# mamori - top-level make wrapper around meson + ninja.
#
#   make         build (build/mamori)
#   make run     install what is missing, build, create the demo hospital in
#                ./var/ and show its ledger
#   make check   install what is missing, build twice (normal, and with
#                AddressSanitizer + UndefinedBehaviorSanitizer under clang with
#                the libFuzzer targets), run every test suite on both
#   make clean   remove the build directories

BUILD      ?= build
SANBUILD   ?= build-san
MESON      ?= meson
NINJA      ?= ninja
VAR        ?= var
DB         ?= $(VAR)/mamori.db

.PHONY: all deps run check check-normal check-san clean bench

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

$(SANBUILD)/build.ninja:
	CC=clang $(MESON) setup $(SANBUILD) --buildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true

deps:
	@scripts/install-deps.sh

run: deps all
	@mkdir -p $(VAR)
	@if [ ! -f $(DB) ]; then ./$(BUILD)/mamori --db $(DB) demo; fi
	./$(BUILD)/mamori --db $(DB) asset list
	@echo
	@echo "デモの台帳: $(DB)  (例: ./$(BUILD)/mamori --db $(DB) asset show MH-SV-006)"
	@echo "ジャーナルの検証: ./$(BUILD)/mamori --db $(DB) journal verify"

check: deps
	@tests/run.sh $(BUILD) $(SANBUILD)

clean:
	rm -rf $(BUILD) $(SANBUILD)
