#!/usr/bin/env bash
# npm run setup: everything a fresh machine needs, idempotent and cached.
#   1. Debian packages listed in scripts/debian-packages.txt (apt-get, only those missing)
#   2. npm packages (npm ci, skipped while package-lock.json is unchanged)
#   3. the web console (scripts/build-web.sh, skipped while its sources and the lockfile are unchanged)
#   4. the local Kubernetes binaries (tools/kube/build.sh, cached by version under .cache/kube)
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(grep -vE '^\s*(#|$)' scripts/debian-packages.txt)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

stamp=node_modules/.shipyard-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

bash scripts/build-web.sh

start=$(date +%s)
bin=$(bash tools/kube/build.sh | tail -n 1)
echo "setup: Kubernetes binaries in $bin ($(( $(date +%s) - start ))s)"
