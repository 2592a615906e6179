# Rapport — `make run` opens the demo, `make test` runs every test.
SHELL := /bin/bash
GO_TAGS ?= sqlite_fts5
DESKTOP_TAGS := desktop,production,webkit2_41,$(GO_TAGS)
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X rapport/app.Version=$(VERSION)
BIN := build/bin/rapport
WAILS_VERSION := v2.12.0
export PATH := $(shell go env GOPATH)/bin:$(PATH)

.PHONY: all run deps system-deps frontend build dist icons test test-go test-frontend test-e2e test-desktop test-dist clean

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

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html
