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
# The console's browser test drives Debian's Chromium (no browser downloads); install it when we can.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian chromium for the browser test …"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || echo "warning: could not install chromium"
fi
stamp=node_modules/.handrail-lock
if [ ! -f "$stamp" ] || ! cmp -s pnpm-lock.yaml "$stamp"; then
  pnpm install --frozen-lockfile --reporter=silent
  cp pnpm-lock.yaml "$stamp"
fi
