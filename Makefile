# QLVB: make run | make test | make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := chromium fonts-noto-core fonts-liberation2 fonts-croscore poppler-utils \
                   libpango-1.0-0 libpangoft2-1.0-0 \
                   tesseract-ocr tesseract-ocr-vie ghostscript unpaper pngquant \
                   softhsm2 opensc \
                   postgresql-client

.PHONY: venv system-deps run test bench chaos chaos-smoke fuzz clean

venv: $(VENV)/.installed

# Re-installed only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

# Debian packages for PDF rendering, fonts, browser tests and PostgreSQL backups (pg_dump, pg_restore,
# psql); nothing to do when all are present.
system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	  echo "Thiếu gói hệ thống:$$missing. Cài bằng quyền root:"; \
	  echo "apt-get install -y$$missing"; \
	  exit 1; \
	fi; \
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y$$missing

run: system-deps venv
	$(BIN)/qlvb run

# The suite on TEST_WORKERS pytest-xdist workers (README: each its own dev server and PostgreSQL
# database); most of its time is spent waiting on Temporal, browsers and subprocesses, so two
# workers use two cores well. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: system-deps venv
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: venv
	$(BIN)/python bench/run.py

# The HTTP load benchmark (bench/load/run.py, issue 15): the real web, worker and Temporal processes
# driven by Locust at stepped arrival rates. Default: 1,000,000 documents on SQLite (the corpus file is
# kept in test-artifacts/ for LOAD_ARGS=--reuse); LOAD_ARGS=--smoke is a 1,000-document run of 20 s;
# LOAD_ARGS="--postgres-url URL --documents 1000 --steps 10x60,25x60" on PostgreSQL. Locust comes from
# the bench extra, installed once per change of pyproject.toml.
LOAD_ARGS ?=
.PHONY: bench-load
bench-load: venv $(VENV)/.bench-installed
	$(BIN)/python -m bench.load.run $(LOAD_ARGS)

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -e '.[bench]'
	touch $@

# The product under load while its processes are killed, then its invariants (chaos/run.py):
# CHAOS_KILLS kills split between the backends (sqlite, postgres or both; PostgreSQL is a private
# cluster started for the run). chaos-smoke: 6 kills on SQLite.
CHAOS_KILLS ?= 200
CHAOS_BACKEND ?= both
CHAOS_ARGS ?=
chaos: venv
	$(BIN)/python -m chaos.run --kills $(CHAOS_KILLS) --backend $(CHAOS_BACKEND) $(CHAOS_ARGS)

chaos-smoke: venv
	$(BIN)/python -m chaos.run --smoke $(CHAOS_ARGS)

# Coverage-guided fuzzing (atheris) of every parser of untrusted files, FUZZ_SECONDS per target;
# crashes land in tests/fuzz_corpus/<target>/ and are replayed by make test (fuzz/campaign.py).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

fuzz: venv
	$(BIN)/python -c "import atheris" 2>/dev/null || $(BIN)/python -m pip install -e '.[test,fuzz]'
	$(BIN)/python -m fuzz.make_seeds
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m fuzz.campaign $(FUZZ_TARGETS)

# Removes build output, caches and the virtualenv; var/ (the data) is kept.
clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache test-results
	find . -name __pycache__ -type d -prune -not -path './var/*' -exec rm -rf {} +
