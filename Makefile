# SalesDesk: `make run` starts the demo company; `make test` runs every test.
# With CI=true nothing is skipped (PostgreSQL and Chromium are required).

SHELL := /bin/bash
CARGO ?= cargo
NPM_ENV := PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
BIN := target/release/salesdesk

.PHONY: bench run build web release test lint test-rust test-web test-e2e test-api-fuzz test-deps openapi clean

## Build the UI and the server, then serve a demo company on SQLite at http://127.0.0.1:8080.
run: build
	./$(BIN) demo

build: web release

web/node_modules: web/package.json web/package-lock.json
	cd web && $(NPM_ENV) npm ci --no-audit --no-fund
	@touch web/node_modules

# Rebuilt only when a UI source (or the API description it is typed from) changed.
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json web/package-lock.json -type f 2>/dev/null) openapi/openapi.json

web/dist/index.html: web/node_modules $(WEB_SOURCES)
	cd web && npm run build

web: web/dist/index.html

# The release binary embeds web/dist, so the UI is built first.
release: web
	$(CARGO) build --release -p salesdesk

## Every test: lint, Rust on SQLite and PostgreSQL, Vitest, Playwright, schemathesis, dependencies.
test: lint test-rust test-web test-e2e test-api-fuzz test-deps
	@echo "make test: all suites passed"

lint: web/node_modules
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --all-targets -- -D warnings
	cd web && npm run lint && npm run typecheck && npm run check:api

# Release profile: one build serves the tests and the binary the browser tests drive.
test-rust:
	$(CARGO) test --release --workspace

test-web: web/node_modules
	cd web && npm test

test-e2e: build
	cd web && npx playwright test

test-api-fuzz: build
	scripts/api-fuzz

test-deps:
	scripts/dependency-checks

## Regenerate openapi/openapi.json and the UI's typed client after changing the API.
# The scale benchmarks of docs/benchmarks.md (minutes each; not part of make test).
bench:
	$(CARGO) build --release -p salesdesk-bench
	./target/release/salesdesk-bench customers --backend sqlite --customers 1000000
	./target/release/salesdesk-bench customers --backend postgres --customers 1000000

openapi:
	UPDATE_OPENAPI=1 $(CARGO) test -p salesdesk-http --test api the_committed_openapi_document_matches_the_code
	cd web && npm run gen:api

clean:
	$(CARGO) clean
	rm -rf web/dist web/node_modules data
