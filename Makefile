# bnft build. Plain make; every folder's *.c is picked up by wildcard so
# adding a file needs no Makefile edit.
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
O       := build
CFLAGS  ?= -O2 -g
CFLAGS  += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -I. -I$(O) -fPIC \
           -Wno-unused-parameter -Wno-missing-field-initializers
LIBS    := -lnftnl -lmnl -lbpf -lelf -lz -ljansson
DEB_PKGS := gcc make pkg-config bison flex clang llvm bpftool libbpf-dev \
            libelf-dev zlib1g-dev libnftnl-dev libmnl-dev libjansson-dev \
            libcmocka-dev nftables iproute2 iputils-ping python3 libclang-rt-14-dev \
            netsniff-ng

# Generated parser
GEN_C   := $(O)/parser/parser.c $(O)/parser/scanner.c
GEN_H   := $(O)/parser/parser.h $(O)/parser/scanner.h

LIB_SRC := $(wildcard parser/*.c translator/*.c daemon/lib/*.c compat/lib/*.c)
LIB_OBJ := $(patsubst %.c,$(O)/%.o,$(LIB_SRC)) $(O)/parser/parser.o $(O)/parser/scanner.o

BPF_SRC := $(wildcard bpf/*.bpf.c)
BPF_OBJ := $(patsubst %.bpf.c,$(O)/%.bpf.o,$(BPF_SRC))
BPF_SKEL := $(patsubst %.bpf.c,$(O)/%.skel.h,$(BPF_SRC))

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRC))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(O)/tests/%,$(TOOL_SRC))

.PHONY: all deps test demo clean fuzz bench format
all: $(O)/bnft $(if $(wildcard daemon/bnftd.c),$(O)/bnftd) $(UNIT_BIN) $(TOOL_BIN)

$(O)/parser/parser.c $(O)/parser/parser.h: parser/parser.y
	@mkdir -p $(dir $@)
	bison -Wno-other -Wno-counterexamples -Wno-conflicts-sr -Wno-conflicts-rr -d -o $(O)/parser/parser.c $<

$(O)/parser/scanner.c $(O)/parser/scanner.h: parser/scanner.l $(O)/parser/parser.h
	@mkdir -p $(dir $@)
	flex --header-file=$(O)/parser/scanner.h -o $(O)/parser/scanner.c $<

$(O)/parser/parser.o $(O)/parser/scanner.o: CFLAGS += -Wno-sign-compare -Wno-unused-function
# every object depends on every project header (no per-file dependency files)
HDRS    := $(wildcard */*.h */*/*.h)
$(O)/parser/%.o: $(O)/parser/%.c $(GEN_H) $(HDRS)
	$(CC) $(CFLAGS) -Iparser -c -o $@ $<

$(O)/%.o: %.c $(GEN_H) $(BPF_SKEL) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# eBPF: clang at build time only, then libbpf skeletons.
$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h bpf/lib/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) -target bpf -O2 -g -Wall -Werror -I. -Ibpf -I/usr/include/$(shell uname -m)-linux-gnu -c -o $@ $<
$(O)/bpf/%.skel.h: $(O)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

$(O)/libbnft.a: $(LIB_OBJ)
	ar rcs $@ $^

$(O)/bnft: $(O)/compat/bnft.o $(O)/libbnft.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(O)/bnftd: $(O)/daemon/bnftd.o $(O)/libbnft.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/test_%: tests/unit/test_%.c $(O)/libbnft.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS) -lcmocka

$(O)/tests/%: tests/tools/%.c $(O)/libbnft.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "all build and test packages present"; fi

# deps first, then the build (a fresh machine has neither; -j must not
# start compiling before the packages are in)
test: deps
	$(MAKE) all
	tests/run-all.sh

demo: deps
	$(MAKE) all
	demo/demo.sh

fuzz:
	$(MAKE) -C tests/fuzz

bench: all
	bench/run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^build/')

clean:
	rm -rf $(O)
