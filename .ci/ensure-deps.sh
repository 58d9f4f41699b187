#!/usr/bin/env bash
# Installs what `make` needs on a fresh machine with Node 20: pnpm (corepack, else npm) and the locked deps.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_INTEGRITY_KEYS=0 COREPACK_ENABLE_DOWNLOAD_PROMPT=0
if ! command -v node >/dev/null; then echo "Node.js 20 is required (https://nodejs.org)"; exit 1; fi
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! pnpm --version >/dev/null 2>&1; then
  corepack enable >/dev/null 2>&1 || true
  if ! pnpm --version >/dev/null 2>&1; then npm install -g "pnpm@${want}" >/dev/null; fi
fi
stamp=node_modules/.handrail-lock
if [ ! -f "$stamp" ] || ! cmp -s pnpm-lock.yaml "$stamp"; then
  pnpm install --frozen-lockfile --reporter=silent
  cp pnpm-lock.yaml "$stamp"
fi
