#!/usr/bin/env bash
# Set up a fresh machine for summary-pipeline, then (by default) run the main job.
#
#   bash setup.sh          set up, install the example's Argos models, build the example
#   bash setup.sh --dev    set up with the test tools only (used by the test command and CI)
#   bash setup.sh --libretranslate
#                          --dev plus LibreTranslate 1.9.6 in .lt-venv/ (the server tests; CI)
#
# Idempotent: what is already installed is skipped, so re-running it is cheap.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
PY=${PYTHON:-python3}

# System packages: fonts for every script (PDF handouts), poppler and gettext for checks.
# libharfbuzz-subset0: WeasyPrint subsets fonts with it (a CJK page: 0.2 s instead of ~10 s).
apt_packages=(fonts-noto-core fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
              libharfbuzz-subset0 poppler-utils gettext)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install these system packages: ${missing[*]}" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# argostranslate depends on torch (through stanza); ask for the CPU build first so pip does not
# fetch several GB of CUDA libraries. The pipeline itself never imports torch.
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  .venv/bin/pip install -q "torch==2.13.0"
fi
.venv/bin/pip install -q -e ".[dev]"
# An editable install has no bytecode of its own, and where PYTHONDONTWRITEBYTECODE is set
# every command would compile the package again (~0.15 s, most of a no-op rebuild).
.venv/bin/python -m compileall -q pipeline >/dev/null

if [ "$mode" = "--libretranslate" ]; then
  # Its own venv: LibreTranslate's pins conflict with argostranslate's and it ships a fork
  # under the same module name. CPU torch first, as above. The tests start servers from it.
  if ! .lt-venv/bin/python -c "import importlib.metadata as m; assert m.version('libretranslate') == '1.9.6'" >/dev/null 2>&1; then
    [ -x .lt-venv/bin/python ] || "$PY" -m venv .lt-venv
    echo "setup: installing LibreTranslate 1.9.6 into .lt-venv/"
    .lt-venv/bin/pip install -q "torch==2.13.0"
    .lt-venv/bin/pip install -q "libretranslate==1.9.6"
  fi
  exit 0
fi

if [ "$mode" = "--dev" ]; then
  exit 0
fi

langs=$(.venv/bin/python -c "import tomllib;print(' '.join(tomllib.load(open('summary-pipeline.toml','rb'))['languages']))")
engine=argos
# The install shows its own progress bars; when the index cannot be reached it prints one
# "Error: ..." line, and the example is still built end to end with the pseudo engine.
if ! .venv/bin/summary-pipeline models install $langs; then
  echo "setup: no Argos models, so the example is built with the pseudo engine (pages are labelled as pseudo-translations)."
  engine=pseudo
fi
.venv/bin/summary-pipeline build --engine "$engine"
echo "setup: open output/index.html"
