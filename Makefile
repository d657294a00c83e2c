# apigwd — build, run and test. `make run` and `make test` install what is missing first.
#   make                      build ./apigwd
#   make run                  deps, build, serve on ./apigwd.db (8080) with the gateway (8081)
#   make test                 deps, build, the tree's checks, unit + end-to-end tests
#   make SANITIZE=address,undefined test
#   make clean

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   := build
PKGS    := libmicrohttpd jansson sqlite3 uuid libcrypto yaml-0.1 libpq
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wwrite-strings -Wvla -fno-common \
           -Wno-missing-field-initializers
ifdef CI
WARN    += -Werror
endif
CPPFLAGS += -D_GNU_SOURCE -Iserver -Idb -MMD -MP
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmicrohttpd -ljansson -lsqlite3 -luuid -lcrypto -lyaml -lpq) -lpthread
ifdef SANITIZE
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
BUILD   := build-san
endif

# Everything in server/ and db/ except main.c is the library the unit tests link against.
LIB_SRC  := $(filter-out server/main.c,$(wildcard server/*.c db/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/db/migrations.gen.o $(BUILD)/db/migrations_pg.gen.o $(BUILD)/server/console.gen.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run test unit e2e check clean deps install FORCE fuzz fuzz-smoke valgrind bench
all: apigwd apigwd-worker apigwd-gateway

deps:
	@scripts/deps

# The reference data-plane worker (worker/README.md): libcurl + jansson, nothing of the server.
WORKER_PKGS := libcurl jansson
WORKER_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard worker/*.c))
$(WORKER_OBJ): CPPFLAGS += $(shell pkg-config --cflags $(WORKER_PKGS) 2>/dev/null)

apigwd-worker: $(BUILD)/apigwd-worker FORCE
	@cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@; }

$(BUILD)/apigwd-worker: $(WORKER_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(WORKER_PKGS) 2>/dev/null || echo -lcurl -ljansson)

# The WebSocket data plane (docs/gateway.md): gateway/*.c + worker/follow.c; everything but
# gateway/main.c is GW_LIB_OBJ, linkable into apigwd too.
GW_PKGS    := libwebsockets libcurl jansson libcrypto
GW_LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out gateway/main.c,$(wildcard gateway/*.c)) worker/follow.c)
$(GW_LIB_OBJ) $(BUILD)/gateway/main.o: CPPFLAGS += -Iworker $(shell pkg-config --cflags $(GW_PKGS) 2>/dev/null)
apigwd-gateway: $(BUILD)/apigwd-gateway FORCE
	@cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@; }
$(BUILD)/apigwd-gateway: $(BUILD)/gateway/main.o $(GW_LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(GW_PKGS) 2>/dev/null || echo -lwebsockets -lcurl -ljansson -lcrypto) -lpthread

# ./apigwd is whichever build was made last (plain or sanitized).
apigwd: $(BUILD)/apigwd FORCE
	@cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@; }
FORCE:

$(BUILD)/server/main.o: CPPFLAGS += -Igateway -Iworker
$(BUILD)/apigwd: $(BUILD)/server/main.o $(LIB_OBJ) $(GW_LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs $(GW_PKGS) 2>/dev/null || echo -lwebsockets -lcurl)

# Migrations are compiled into the binary (build/db/migrations.gen.c), so the binary
# never depends on the tree it was built from.
$(BUILD)/db/migrations.gen.c: $(sort $(wildcard migrations/*.sql)) scripts/embed-migrations
	@mkdir -p $(dir $@)
	scripts/embed-migrations $(sort $(wildcard migrations/*.sql)) > $@

$(BUILD)/db/migrations.gen.o: $(BUILD)/db/migrations.gen.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -std=c11 -c -o $@ $<

# PostgreSQL's migrations (migrations/postgres/, the same numbering), for db/pg.c.
$(BUILD)/db/migrations_pg.gen.c: $(sort $(wildcard migrations/postgres/*.sql)) scripts/embed-migrations
	@mkdir -p $(dir $@)
	scripts/embed-migrations --name db_pg_migrations $(sort $(wildcard migrations/postgres/*.sql)) > $@

$(BUILD)/db/migrations_pg.gen.o: $(BUILD)/db/migrations_pg.gen.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -std=c11 -c -o $@ $<
$(BUILD)/db/pg.o: CPPFLAGS += $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)

# The console's files (console/) are compiled into the binary too.
CONSOLE_FILES := $(sort $(shell find console -type f 2>/dev/null))
$(BUILD)/server/console.gen.c: $(CONSOLE_FILES) scripts/embed-files
	@mkdir -p $(dir $@)
	scripts/embed-files console $(CONSOLE_FILES) > $@

$(BUILD)/server/console.gen.o: $(BUILD)/server/console.gen.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -std=c11 -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# The request module and the engine link alone: no resource, data plane, route table nor
# libmicrohttpd lifecycle. Their unit tests are built from these objects only, so a dependency
# that crept upward fails the build (docs/architecture.md; scripts/check-layers checks the rest).
REQUEST_OBJ := $(addprefix $(BUILD)/server/,request.o route.o jspec.o errors.o log.o)
ENGINE_OBJ  := $(REQUEST_OBJ) $(addprefix $(BUILD)/server/,res.o paging.o ids.o sbuf.o) \
               $(patsubst %.c,$(BUILD)/%.o,$(wildcard db/*.c)) $(BUILD)/db/migrations.gen.o \
               $(BUILD)/db/migrations_pg.gen.o
$(BUILD)/tests/test_request: tests/unit/test_request.c tests/unit/fake_req.h $(REQUEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)
$(BUILD)/tests/test_res: tests/unit/test_res.c tests/unit/fake_req.h $(ENGINE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

run: deps apigwd
	./apigwd --db ./apigwd.db --gateway-listen 127.0.0.1:8081 $(ARGS)

unit: $(UNIT_BIN)
	@scripts/run-tests unit $(UNIT_BIN)

e2e: apigwd apigwd-worker apigwd-gateway
	@scripts/run-tests e2e

# The tree's own rules: no dependency cycle nor upward edge (scripts/check-layers), and every C
# file as clang-format writes it (scripts/check-format).
check: apigwd $(UNIT_BIN)
	@scripts/check-layers $(BUILD)
	@scripts/check-format

test: deps apigwd apigwd-worker apigwd-gateway $(UNIT_BIN) check
	@scripts/run-tests all $(UNIT_BIN)

# Long runs, outside `make test` (CI runs the smoke and valgrind ones from .ci/run).
fuzz: deps
	scripts/fuzz 60
fuzz-smoke: deps
	scripts/fuzz 10
valgrind: deps apigwd
	scripts/valgrind-e2e
bench: deps
	scripts/bench

# make install PREFIX=/usr DESTDIR=/tmp/pkg: the binary, the shell fixture helper, the man
# page and the systemd unit (its ExecStart rewritten to $(PREFIX)/bin/apigwd).
UNITDIR ?= $(PREFIX)/lib/systemd/system
install: apigwd apigwd-worker
	install -D -m 0755 apigwd $(DESTDIR)$(PREFIX)/bin/apigwd
	install -D -m 0755 apigwd-worker $(DESTDIR)$(PREFIX)/bin/apigwd-worker
	install -D -m 0755 scripts/apigwd-fixture $(DESTDIR)$(PREFIX)/bin/apigwd-fixture
	install -D -m 0644 man/apigwd.1 $(DESTDIR)$(PREFIX)/share/man/man1/apigwd.1
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/apigwd|$(PREFIX)/bin/apigwd|g' scripts/apigwd.service \
		> $(DESTDIR)$(UNITDIR)/apigwd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/apigwd.service

clean:
	rm -rf build build-san apigwd apigwd-worker apigwd-gateway

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
