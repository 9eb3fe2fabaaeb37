UV := ./scripts/uv
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench migrate bootstrap guarantees

run: ## Start the server on the embedded default (SQLite in ./.spacegate)
	$(UV) sync --frozen --no-dev
	$(UV) run --no-dev spacegate serve --host $(HOST) --port $(PORT)

test: ## Run the whole test suite (PostgreSQL/Redis tests run when their URLs are set)
	$(UV) sync --frozen --all-extras
	$(UV) run pytest $(PYTEST_ARGS)

guarantees: ## Guarantee suites (crash, durability, faults, SSRF, isolation...); writes docs/guarantees.md
	$(UV) sync --frozen --all-extras
	@report=$$(mktemp); \
	SPACEGATE_GUARANTEES_REPORT=$$report $(UV) run pytest tests/guarantees tests/api $(PYTEST_ARGS); \
	status=$$?; \
	$(UV) run python -m tests.guarantees.render $$report docs/guarantees.md; \
	rm -f $$report; exit $$status

lint: ## ruff (format check + lint) and mypy --strict
	$(UV) sync --frozen --all-extras
	$(UV) run ruff format --check src tests bench
	$(UV) run ruff check src tests bench
	$(UV) run mypy

format:
	$(UV) run ruff format src tests bench
	$(UV) run ruff check --fix src tests bench

bench: ## Benchmarks; results go to bench/results.md
	$(UV) sync --frozen --all-extras
	$(UV) run python -m bench

migrate:
	$(UV) run spacegate migrate

bootstrap: ## Create an org, its owner and an owner API key: make bootstrap ORG=Acme EMAIL=you@example.com
	$(UV) run --no-dev spacegate bootstrap --org "$(ORG)" --email "$(EMAIL)"
