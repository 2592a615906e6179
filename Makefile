# Rapport — `make run` opens the demo, `make test` runs every test.
SHELL := /bin/bash
GO_TAGS ?= sqlite_fts5
DESKTOP_TAGS := desktop,production,webkit2_41,$(GO_TAGS)
VERSION := $(shell bash scripts/version.sh)
LDFLAGS := -s -w -X rapport/app.Version=$(VERSION)
BIN := build/bin/rapport
WAILS_VERSION := v2.12.0
export PATH := $(shell go env GOPATH)/bin:$(PATH)

.PHONY: all run deps system-deps frontend build dist icons test test-go test-frontend test-e2e test-desktop test-dist clean
.PHONY: crash faults fuzz hostile secrets

all: build

## deps: system packages (apt-get, with sudo when not root), npm packages, Go modules, the pinned Wails CLI
deps: system-deps frontend/node_modules
	go mod download
	@command -v wails >/dev/null && wails version 2>/dev/null | grep -q "$(WAILS_VERSION)" || go install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VERSION)

system-deps:
	@bash scripts/system-deps.sh

frontend/node_modules: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch frontend/node_modules

frontend: frontend/node_modules
	cd frontend && npm run build

## build: the desktop binary (also runs every subcommand)
build: frontend
	CGO_ENABLED=1 go build -tags $(DESKTOP_TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

## dist: Linux binary + .deb, Windows .exe + NSIS installer (cross-compiled)
dist: build
	@bash scripts/dist.sh

## icons: regenerate build/appicon.png from assets/icon.svg
icons:
	rsvg-convert -w 1024 -h 1024 assets/icon.svg -o build/appicon.png

## run: install what is missing, build, open the demo (browser UI when there is no display)
run: deps build
	./$(BIN) --demo

## test: every test, with a summary
test: deps build
	@bash scripts/test.sh

test-go:
	@bash scripts/test.sh go
test-frontend:
	@bash scripts/test.sh vitest
test-e2e:
	@bash scripts/test.sh e2e
test-desktop:
	@bash scripts/test.sh desktop
test-dist:
	@bash scripts/test.sh dist

## reliability (issue 8, docs/RELIABILITY.md): the full versions; `make test` runs the short ones.
RELIABILITY := RAPPORT_RELIABILITY=full go test -tags $(GO_TAGS) -count=1 -p 1 -v -timeout 180m ./backend/reliability/

## crash: kill -9 `rapport sync` 200 times, during migrations and re-links; single-writer lock
crash:
	$(RELIABILITY) -run 'TestCrash|TestSingleWriter'

## faults: 25 sync passes with 10% of Graph requests failing at random and tokens revoked mid-round
faults:
	$(RELIABILITY) -run 'TestFaultConvergence'

## fuzz: every Go fuzz target for 10 minutes (FUZZTIME=30s for less)
fuzz:
	bash scripts/fuzz.sh $(or $(FUZZTIME),10m)

## hostile: hostile input into the store, the command line, the browser bridge and the UI (Playwright)
hostile: build
	$(RELIABILITY) -run 'TestHostile'
	go test -tags $(GO_TAGS) -count=1 -v -run 'Bridge|OpenURL|OneLine' ./app/
	cd frontend && RAPPORT_BIN="$$PWD/../$(BIN)" node --test e2e/hostile.test.mjs

## secrets: no issued token in any file, log or output after sign-in, refresh, sync, errors and a crash; file modes
secrets:
	$(RELIABILITY) -run 'TestNoSecretsAnywhere'

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html

.PHONY: bench
## bench: the full performance benchmark — heavy tenant at 100 ms per request, query figures at 1,000,000 timeline items (docs/PERFORMANCE.md)
bench: build
	./$(BIN) bench --items-1m

.PHONY: bench-ui
## bench-ui: UI figures — cold start (Chromium, desktop under Xvfb) and frame times scrolling a 100,000-item timeline
bench-ui: build
	@bash scripts/ui-bench.sh
