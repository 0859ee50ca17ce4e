#!/usr/bin/env bash
# Copy the built YASGUI files from the npm package into drugkg/static/yasgui/.
#
# The query page (`drugkg serve`, route `/`) loads YASGUI from these files only: nothing is
# fetched from a CDN at run time. Run this script to move to another version, review the diff,
# then commit drugkg/static/yasgui/. Usage: scripts/vendor-yasgui.sh [VERSION]
set -euo pipefail

VERSION="${1:-4.6.2}"
PACKAGE="@zazuko/yasgui"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$HERE/drugkg/static/yasgui"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tar -xzf "$TMP"/zazuko-yasgui-"$VERSION".tgz -C "$TMP"
BUILD="$TMP/package/build"

mkdir -p "$DEST"
# The UMD bundle and its stylesheet; the source maps (7 MB) are left out, and so is the line
# that would make a browser's developer tools ask for them.
sed -e '/^\/\/# sourceMappingURL=/d' "$BUILD/yasgui.min.js" >"$DEST/yasgui.min.js"
sed -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$BUILD/yasgui.min.css" >"$DEST/yasgui.min.css"

# Refuse a bundle that would load code, styles or fonts from elsewhere at run time. (Runtime
# look-ups YASGUI makes by configuration, prefix.cc and the LOV autocompleters, are switched
# off by the query page itself: see drugkg/server/pages.py.)
if grep -EnoH '(@import|url\()[^)]*https?://|(cdn\.|unpkg\.com|jsdelivr|fonts\.googleapis|fonts\.gstatic)' \
    "$DEST/yasgui.min.css" "$DEST/yasgui.min.js"; then
  echo "vendor-yasgui: the bundle refers to a CDN (above); patch it before committing" >&2
  exit 1
fi

INTEGRITY="$(cd "$TMP" && npm view --silent "$PACKAGE@$VERSION" dist.integrity)"
cat >"$DEST/VERSION" <<INFO
package: $PACKAGE
version: $VERSION
integrity: $INTEGRITY
licence: MIT (Triply, Zazuko GmbH), https://github.com/rdfjs/Yasgui
files: build/yasgui.min.js, build/yasgui.min.css (source-map comments removed)
copied-by: scripts/vendor-yasgui.sh
INFO
echo "vendor-yasgui: $PACKAGE@$VERSION copied into ${DEST#"$HERE"/}"
