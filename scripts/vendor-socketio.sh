#!/usr/bin/env bash
# Refresh the vendored Socket.IO browser client from its npm package (make vendor).
# Usage: scripts/vendor-socketio.sh [version-range]   (default: 4)
set -euo pipefail
range="${1:-4}"
dest="$(cd "$(dirname "$0")/.." && pwd)/static/vendor/socket.io"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "socket.io-client@${range}" >/dev/null && tar xzf socket.io-client-*.tgz)
mkdir -p "$dest"
cp "$work/package/dist/socket.io.esm.min.js" "$work/package/dist/socket.io.esm.min.js.map" "$dest/"
cp "$work/package/LICENSE" "$dest/LICENSE"
version=$(node -p "require('$work/package/package.json').version")
printf 'socket.io-client %s, from the npm package socket.io-client@%s (dist/), MIT licence (LICENSE).\nRefresh: make vendor\n' "$version" "$version" > "$dest/VERSION"
echo "vendored socket.io-client $version into $dest"
