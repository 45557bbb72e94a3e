#!/usr/bin/env bash
# Installs express and aws-jwt-verify, at the exact versions pinned in
# node/package.json and node/package-lock.json, into a cache folder outside
# the repository, and prints that folder. Idempotent; needs Node >= 18 and npm.
#
# Usage: install-node.sh [DIR]   (default $COGNITOAUTH_SERVICE_NODE, else
#                                 ${XDG_CACHE_HOME:-$HOME/.cache}/cognitoauth/service-node)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-${COGNITOAUTH_SERVICE_NODE:-${XDG_CACHE_HOME:-$HOME/.cache}/cognitoauth/service-node}}"
command -v node >/dev/null || { echo "install-node.sh: node not found" >&2; exit 1; }
command -v npm >/dev/null || { echo "install-node.sh: npm not found" >&2; exit 1; }
mkdir -p "$dir"
if ! cmp -s "$here/node/package-lock.json" "$dir/package-lock.json" || [ ! -d "$dir/node_modules/express" ] || [ ! -d "$dir/node_modules/aws-jwt-verify" ]; then
  cp "$here/node/package.json" "$here/node/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts >&2)
fi
echo "$dir"
