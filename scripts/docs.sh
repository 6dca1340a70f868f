#!/usr/bin/env bash
# The tutorial site: `nbdev_docs` renders the book with Quarto into _docs/ (open _docs/index.html).
# A `quarto` on PATH is used as it is; without one, Quarto is installed from the offline kit (no network needed):
# $HUME_NB_QUARTO_KIT, else ../shared/quarto beside the checkout, else /work/shared/quarto; it goes into
# $HUME_NB_QUARTO_PREFIX (default ~/.local/quarto) and a second run finds it there at once.
# Prints the install and render times, the pages rendered and Quarto's warnings (the log: _proc/render.log).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/setup.sh
. .venv/bin/activate
PREFIX=${HUME_NB_QUARTO_PREFIX:-$HOME/.local/quarto}
export PATH="$PREFIX/bin:$PATH"

t0=$(date +%s.%N)
if q=$(command -v quarto); then
  how="on PATH ($q), nothing to install"
else
  kit=
  for k in "${HUME_NB_QUARTO_KIT:-}" "$ROOT/../shared/quarto" /work/shared/quarto; do
    if [ -n "$k" ] && [ -f "$k/install.sh" ]; then kit=$(cd "$k" && pwd); break; fi
  done
  if [ -z "$kit" ]; then
    echo "docs: no quarto on PATH and no offline kit (install.sh) in \$HUME_NB_QUARTO_KIT," \
         "$ROOT/../shared/quarto or /work/shared/quarto: install Quarto (https://quarto.org) or set HUME_NB_QUARTO_KIT" >&2
    exit 1
  fi
  BIN_DIR=${BIN_DIR:-$HOME/.local/bin} bash "$kit/install.sh" "$PREFIX" | sed 's/^/quarto kit: /'
  how="installed from the kit $kit into $PREFIX"
fi
t1=$(date +%s.%N)
secs() { awk "BEGIN { printf \"%.1f\", $2 - $1 }"; }
echo "docs: quarto $(quarto --version) $how: install time $(secs "$t0" "$t1") s"

# README.md is written by hand, not from index.ipynb: newer than it, nbdev_docs leaves it alone
touch README.md
kept="README.md nbs/nbdev.yml nbs/sidebar.yml _quarto.yml"   # nbdev_docs may write these: it must not change them
before=$(cat $kept | cksum)
# nbdev_docs copies the notebooks into _proc/ with their saved outputs, runs only the imports and exported
# definitions its API reference needs, and has Quarto render them there (Quarto executes nothing); Quarto's
# messages go to stderr, which is kept as the log
log=$(mktemp)
if ! { nbdev_docs 2>&1 1>&3 3>&- | tee "$log" >&2; } 3>&1; then echo "docs: nbdev_docs failed" >&2; exit 1; fi
t2=$(date +%s.%N)
cp "$log" _proc/render.log; rm -f "$log"
pages=$(find _docs -name '*.html' | wc -l)
warnings=$(grep -ci 'warn' _proc/render.log || true)
echo "docs: render time $(secs "$t1" "$t2") s (nbdev_docs), $pages pages rendered into _docs/, $warnings warnings"
if [ "$(cat $kept | cksum)" != "$before" ]; then
  echo "docs: nbdev_docs changed one of $kept (git diff shows how); commit what it writes" >&2; exit 1
fi
