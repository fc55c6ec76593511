# One-command set-up on a fresh Debian machine (root, Python 3.11): `make run`, `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium poppler-utils postgresql nginx fonts-noto-cjk
APT_PACKAGES_NO_RECOMMENDS := r-base-core r-cran-survival
HOST ?= 127.0.0.1
PORT ?= 8501
# make check-load LOAD_SESSIONS="1 5 10 20 20 20" LOAD_SECONDS=60: sessions per level, seconds a
# level (20 thrice: the summary takes the median of their p95s)
LOAD_SESSIONS ?= 1 5 10 20 20 20
LOAD_SECONDS ?= 60

.PHONY: run run-deps test test-fast system-deps check-load bench lint ehr-test-servers

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	@missing=""; for p in $(APT_PACKAGES) $(APT_PACKAGES_NO_RECOMMENDS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$(APT_PACKAGES_NO_RECOMMENDS); \
	fi

# What the app itself needs from Debian: a font with Chinese glyphs for the summary PDF.
RUN_APT_PACKAGES := fonts-noto-cjk
run-deps:
	@dpkg -s $(RUN_APT_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(RUN_APT_PACKAGES))

run: $(STAMP) run-deps
	$(BIN)/python -m srgvhd.app.serve run app.py --server.address $(HOST) --server.port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: $(STAMP) system-deps ehr-test-servers lint
	$(BIN)/pytest

# The edit-run loop (under a minute): no browser, no live-server attacks, no R, no slow fuzz.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow and not browser and not rcheck and not attack"

check-load: $(STAMP) system-deps
	$(BIN)/python perf/load_check.py --sessions $(LOAD_SESSIONS) --seconds $(LOAD_SECONDS)

# Every benchmark, then the load check, then perf/results/summary.md (one table); a
# benchmark that fails leaves its summary rows "not run" instead of stopping the rest.
bench: $(STAMP) system-deps
	-$(BIN)/python perf/bench_assess.py
	-$(BIN)/python perf/bench_model.py
	-$(BIN)/python perf/bench_app.py
	-$(BIN)/python perf/bench_pdf.py
	-$(BIN)/python perf/bench_charts.py
	-$(BIN)/python perf/bench_store.py
	-$(BIN)/python perf/bench_rows.py
	-$(BIN)/python perf/entry_cpu.py --seconds 40 --runs 3
	-$(BIN)/python perf/load_check.py --sessions $(LOAD_SESSIONS) --seconds $(LOAD_SECONDS)
	$(BIN)/python perf/summary.py

# The EHR tests' real servers (docs/ehr.md): Debian's nginx as the hospital gateway, Node with
# npm's oauth2-mock-server (pinned by tests/servers/package-lock.json) as the authorization
# server, installed into tests/servers/node_modules; sekmet-fhir comes with '.[test]'.
EHR_NODE_STAMP := tests/servers/node_modules/.installed
ehr-test-servers: $(EHR_NODE_STAMP)
$(EHR_NODE_STAMP): tests/servers/package-lock.json
	@dpkg -s nginx >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx)
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm)
	cd tests/servers && npm ci --no-audit --no-fund --loglevel=error
	touch $(EHR_NODE_STAMP)
