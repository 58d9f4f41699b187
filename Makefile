# Handrail — every entry point an operator or CI needs. `make help` lists them.
SHELL := /bin/bash
export COREPACK_INTEGRITY_KEYS := 0
export COREPACK_ENABLE_DOWNLOAD_PROMPT := 0
# TypeScript run directly (scripts, checks): workspace packages resolve to their src/ under this export
# condition; without it they resolve to the compiled dist/ that `make build` writes.
TSX := pnpm -s exec tsx --conditions=@handrail/source

.PHONY: help deps build demo test test-unit test-integration typecheck lint check gen bench bench-classifier eval eval-oos eval-answers eval-abcd deploy-check clean demo-clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

deps: ## install pnpm (via corepack or npm) and the locked dependencies, if missing
	@bash .ci/ensure-deps.sh

build: deps ## compile every package with tsc to its dist/ (tsc -b tsconfig.build.json: dependency order, incremental)
	pnpm -s build

demo: build ## start NATS if needed and all six services (compiled), run the sample tickets, write .demo/report.json; CONNECTORS=fake sends them through a local Zendesk and Chatwoot and the connectors service
	CONNECTORS=$(or $(CONNECTORS),off) pnpm -s demo

test: deps ## typecheck, lint, contracts check, build, unit tests, then integration tests against a real NATS JetStream (started if none answers)
	pnpm -s typecheck
	pnpm -s lint
	pnpm -s check
	pnpm -s build
	pnpm -s vitest run --project unit
	$(TSX) deploy/validate.ts
	pnpm -s vitest run --project integration

test-unit: deps ## unit tests only (no bus)
	pnpm -s vitest run --project unit
	$(TSX) deploy/validate.ts

test-integration: deps ## integration tests only
	pnpm -s vitest run --project integration

typecheck: deps ## strict type check of the whole workspace
	pnpm -s typecheck

lint: deps ## eslint (type-aware: floating promises, non-null assertions, exhaustive switches)
	pnpm -s lint

gen: deps ## regenerate libs/contracts/src/gen from proto/
	pnpm -s gen

check: deps ## prove the generated contracts match proto/ (and buf lint); every package wired into the build, run-time imports in dependencies
	pnpm -s check

bench: build ## compiled services: pipeline vs raw JetStream chain (throughput, p50/p99, ratio), then drafting scale-out 1→2→4 replicas with a 200 ms LLM (each part ends with a JSON line)
	pnpm -s bench

bench-classifier: deps ## classifier vs NLP.js vs TF-IDF+LR on ../shared/datasets
	pnpm -s handrail bench-classifier

eval: deps ## routing evaluation on ../shared/datasets (Banking77, Bitext, NLU++)
	$(TSX) libs/evaluation/scripts/eval-shared.ts

eval-oos: deps ## out-of-scope detection, CLINC150-style, from ../shared/datasets (Banking77 + NLU++ hotels)
	$(TSX) libs/evaluation/scripts/eval-oos.ts

eval-answers: deps ## does an auto-sent reply answer the question? our own answerable/unanswerable questions about the demo help centre through decideTicket: gates chosen on the train half, wrong/right answers sent and held on both halves
	$(TSX) libs/evaluation/scripts/eval-answers.ts

eval-abcd: deps ## retrieval hit rate on the ABCD policy manual (../shared/datasets/abcd-kb)
	$(TSX) libs/kb/scripts/eval-abcd.ts

deploy-check: deps ## render and validate the kustomize overlays
	$(TSX) deploy/validate.ts

demo-clean: deps ## delete the demo's streams and buckets
	$(TSX) libs/demo-runner/src/clean-demo.ts

clean: ## remove build and run artefacts
	rm -rf .demo .bench node_modules */*/node_modules libs/*/dist services/*/dist
