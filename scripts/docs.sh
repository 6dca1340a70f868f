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
  how="found $q"
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
  BIN_DIR="$PREFIX/bin" bash "$kit/install.sh" "$PREFIX" | sed 's/^/quarto kit: /'
  how="installed from $kit into $PREFIX"
fi
t1=$(date +%s.%N)
secs() { awk "BEGIN { printf \"%.1f\", $2 - $1 }"; }
echo "docs: quarto $(quarto --version) $how in $(secs "$t0" "$t1") s"

# README.md is written by hand, not from index.ipynb: newer than it, nbdev_docs leaves it alone
touch README.md
# nbdev_docs processes the notebooks into _proc/ (their saved outputs; nothing is executed but the API
# reference's imports) and renders them there with Quarto; Quarto's own messages go to stderr
log=$(mktemp)
if ! nbdev_docs 2> >(tee "$log" >&2); then echo "docs: nbdev_docs failed" >&2; exit 1; fi
t2=$(date +%s.%N)
cp "$log" _proc/render.log; rm -f "$log"
pages=$(find _docs -name '*.html' | wc -l)
warnings=$(grep -ci 'warn' _proc/render.log || true)
echo "docs: rendered $pages pages into _docs/ in $(secs "$t1" "$t2") s; $warnings warnings"
if git rev-parse --git-dir >/dev/null 2>&1; then
  # nbdev_docs rewrites nbs/nbdev.yml from settings.ini: the committed one must be what it writes
  git diff --exit-code --stat -- README.md nbs/ || { echo "docs: building the site changed tracked files" >&2; exit 1; }
fi
