# virtlxc — see README.md. Targets are promised by ../shared/design/INTERFACE.md.
GO        ?= go
PREFIX    ?= /usr/local
BIN       := bin
GOFLAGS   ?= -buildvcs=false
export GOFLAGS
FUZZTIME  ?= 20s
BINARIES  := virtlxcd virtlxc virtlxc-controller virtlxc-init virtlxc-keeper

.PHONY: all build check test vet fmt-check test-deps fuzz demo bench install clean

all: build

# The daemon, the controller and the init stage are static (no cgo). The CLI needs cgo for
# the one C constructor that joins a user namespace (internal/nsenter).
build:
	@mkdir -p $(BIN)
	GO=$(GO) ./scripts/gobuild.sh $(BIN) 0 ./cmd/virtlxcd ./cmd/virtlxc-controller ./cmd/virtlxc-init ./cmd/virtlxc-keeper
	GO=$(GO) ./scripts/gobuild.sh $(BIN) 1 ./cmd/virtlxc

# Every test: formatting, vet, unit and root integration tests (CI is root),
# the demo. Installs what the tests need first. (`make fuzz` fuzzes the XML
# parser; its seed corpus runs as part of the unit tests.)
check: test-deps fmt-check vet build test demo

test-deps:
	@./scripts/install-test-deps.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The tests' fixtures (roots, files a container's users read) assume the
# usual umask; whoever runs make check may have a stricter one.
test:
	umask 022 && $(GO) test -count=1 ./...

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./internal/domainxml/

demo: build
	@./scripts/demo.sh

# Benchmarks (bench/README.md): installs crun, lxc and virsh when missing,
# writes bench/results.json and bench/results.md. BENCH_DENSITY=100 for a
# quick run (containers in the density figure, default 1,000).
BENCH_DENSITY ?= 1000
bench: build
	@./scripts/bench-deps.sh
	VIRTLXC_BENCH_REPORT=$(CURDIR)/bench/results VIRTLXC_BENCH_DENSITY=$(BENCH_DENSITY) \
	  $(GO) test -run '^$$' -bench . -benchtime 30x -timeout 60m ./bench/

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(addprefix $(BIN)/,$(BINARIES)) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf $(BIN)
