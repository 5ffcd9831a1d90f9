# Sextant CRM. `make run` and `make test` are the two commands of README.md.
# Variants: the default build in build/, and build/asan/ with AddressSanitizer and
# UndefinedBehaviorSanitizer (`make asan`), which the unit and API tests run against.

CC      ?= gcc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libutf8proc xlsxwriter libcrypto libqrencode libmagic libcurl libical
VARIANT ?= release
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

ifeq ($(VARIANT),asan)
OUT      := build/asan
OPTFLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
OUT      := build
OPTFLAGS := -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong
endif

WARNINGS := -Wall -Wextra -Werror -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wpointer-arith -Wwrite-strings -Wvla -Wshadow -fno-common
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  ?=
CFLAGS  += -std=c17 -D_GNU_SOURCE -g $(OPTFLAGS) $(WARNINGS) -MMD -MP -Isrc -I$(OUT)/gen $(PKG_CFLAGS)
LDFLAGS += $(OPTFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

SRCS    := $(shell find src -name '*.c' | sort)
OBJS    := $(SRCS:%.c=$(OUT)/obj/%.o) $(OUT)/obj/gen/schema_data.o $(OUT)/obj/gen/policy_data.o \
           $(OUT)/obj/gen/process_data.o \
           $(OUT)/obj/gen/regions_data.o $(OUT)/obj/gen/pinyin_data.o $(OUT)/obj/gen/t2s_table.o
LIBOBJS := $(filter-out $(OUT)/obj/src/main.o,$(OBJS))
SCHEMAS := $(sort $(wildcard schema/*.json))
POLICY  := policy/roles.json
PROCESSES := $(sort $(wildcard process/*.json))

UNIT_SRCS := $(sort $(wildcard tests/unit/t*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(OUT)/tests/%)

.PHONY: all build run deps test test-unit test-api test-api-sqlite test-api-pg test-e2e bench bench-quick \
	asan check format format-check clean unit-bins
.DEFAULT_GOAL := build

all build: $(OUT)/sextant web/dist/index.html

# The web application (web/), built by Vite from the locked npm packages into web/dist, which the
# binary serves (--web).
WEB_SRCS := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts \
	web/tsconfig.json web/env.d.ts
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRCS)
	@echo "  WEB     web/dist"
	$(Q)cd web && npm run build --silent >/dev/null

$(OUT)/sextant: $(OBJS)
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# The schema files are embedded in the binary (tools/embed.c writes a C array of them).
$(OUT)/gen/schema_data.c: $(SCHEMAS) $(OUT)/tools/embed
	@mkdir -p $(dir $@)
	$(Q)$(OUT)/tools/embed embedded_schema $(SCHEMAS) > $@.tmp && mv $@.tmp $@

# The roles shipped by default (seeded once each; see src/auth/roles.c).
$(OUT)/gen/policy_data.c: $(POLICY) $(OUT)/tools/embed
	@mkdir -p $(dir $@)
	$(Q)$(OUT)/tools/embed embedded_policy $(POLICY) > $@.tmp && mv $@.tmp $@

# The processes shipped by default (installed once each; see src/meta/process_seed.c).
$(OUT)/gen/process_data.c: $(PROCESSES) $(OUT)/tools/embed
	@mkdir -p $(dir $@)
	$(Q)$(OUT)/tools/embed embedded_process $(PROCESSES) > $@.tmp && mv $@.tmp $@

# China's provinces and cities (src/match/regions.txt, made by tools/gen-regions.mjs), which the
# duplicate check strips from company names.
$(OUT)/gen/regions_data.c: src/match/regions.txt $(OUT)/tools/embed
	@mkdir -p $(dir $@)
	$(Q)$(OUT)/tools/embed embedded_regions src/match/regions.txt > $@.tmp && mv $@.tmp $@

# The readings of Chinese characters (src/match/pinyin.txt, made by tools/gen-pinyin.mjs): the
# duplicate check forgives a character typed for another of the same sound.
$(OUT)/gen/pinyin_data.c: src/match/pinyin.txt $(OUT)/tools/embed
	@mkdir -p $(dir $@)
	$(Q)$(OUT)/tools/embed embedded_pinyin src/match/pinyin.txt > $@.tmp && mv $@.tmp $@

# Traditional → simplified characters for search folding, taken from OpenCC at build time.
$(OUT)/gen/t2s_table.c: $(OUT)/tools/t2s
	@mkdir -p $(dir $@)
	$(Q)$(OUT)/tools/t2s > $@.tmp && mv $@.tmp $@

$(OUT)/obj/gen/%.o: $(OUT)/gen/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O1 -Wall -Wextra -Werror -o $@ $<

$(OUT)/tools/t2s: tools/t2s.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O1 -Wall -Wextra -Werror $(shell pkg-config --cflags opencc) -o $@ $< $(shell pkg-config --libs opencc)

$(OUT)/tests/%: tests/unit/%.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(LIBOBJS) $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka)

asan:
	$(MAKE) VARIANT=asan build

deps:
	@tools/deps.sh build

run: deps
	@$(MAKE) --no-print-directory build
	./build/sextant serve

# Every test layer: style checks, unit tests (plain and under ASan/UBSan), the API suite on
# SQLite and on PostgreSQL (against the sanitizer build), and the benchmarks' quick gate.
test: deps
	@tools/deps.sh test
	$(MAKE) check
	$(MAKE) build unit-bins
	$(MAKE) VARIANT=asan build unit-bins
	tools/run-unit.sh build/tests build/asan/tests
	$(MAKE) test-api
	$(MAKE) test-e2e
	$(MAKE) bench-quick

unit-bins: $(UNIT_BINS)

test-unit: unit-bins
	tools/run-unit.sh $(OUT)/tests

# Test tools from npm, exactly as locked (the OpenAPI validator).
tests/node_modules/.package-lock.json: tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error

# The web application in Debian's chromium (playwright-core, no browser download).
# Every browser test on SQLite; the sales flows the issues name again on PostgreSQL (a lead to a
# won opportunity, a visit from plan to reimbursed expense).
test-e2e: tests/node_modules/.package-lock.json build
	node tests/e2e/run.mjs --bin build/sextant
	node tests/e2e/run.mjs --bin build/sextant --db pg --only t15_sales,t18_sales_work --out tests/out/e2e-pg

test-api: test-api-sqlite test-api-pg
test-api-sqlite: tests/node_modules/.package-lock.json
	node tests/api/run.mjs --db sqlite --bin build/asan/sextant
test-api-pg: tests/node_modules/.package-lock.json
	node tests/api/run.mjs --db pg --bin build/asan/sextant

bench: build
	bench/run.sh full

bench-quick: build
	bench/run.sh quick

format:
	clang-format -i $(SRCS) $(shell find src -name '*.h') $(UNIT_SRCS) tools/embed.c

format-check:
	clang-format --dry-run --Werror $(SRCS) $(shell find src -name '*.h') $(UNIT_SRCS) tools/embed.c

check: format-check
	tools/check-banned.sh

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)
