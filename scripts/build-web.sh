#!/usr/bin/env bash
# Builds the web console into packages/web/dist (served by the server at /), unless nothing it is built from
# changed since the last build: its sources and config, and package-lock.json. The hash of those is kept in
# packages/web/dist/.build-stamp. Prints the gzipped JavaScript size (build/size-report.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=packages/web/dist/.build-stamp
want=$(
  {
    sha256sum package-lock.json
    find packages/web packages/api/src -type f \
      -not -path 'packages/web/dist/*' -not -path '*/node_modules/*' -print0 | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
)
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && [ -f packages/web/dist/index.html ]; then
  echo "setup: web console up to date (packages/web/dist)"
  exit 0
fi
echo "setup: building the web console"
# Always a production build, whoever runs this (vitest sets NODE_ENV=test, which Vite would honour).
NODE_ENV=production npm run build --silent -w @shipyard/web
echo "$want" > "$stamp"
