# mamori - top-level make wrapper around meson + ninja.
#
#   make         build (build/mamori)
#   make run     install what is missing, build, create the demo hospital in
#                ./var/ and serve it on http://127.0.0.1:8080 (the first run
#                prints the administrator's one-time password)
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
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps run check clean bench

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
	@echo
	@echo "台帳 (CLI): ./$(BUILD)/mamori --db $(DB) asset list"
	@echo "admin のパスワードを忘れたとき: ./$(BUILD)/mamori --db $(DB) user passwd admin"
	./$(BUILD)/mamori --db $(DB) serve --listen $(LISTEN)

check: deps
	@tests/run.sh $(BUILD) $(SANBUILD)

bench: all
	$(MAKE) -C bench

clean:
	rm -rf $(BUILD) $(SANBUILD)
