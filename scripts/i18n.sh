#!/usr/bin/env bash
# exporter's own words: extract them from the code and templates into the template (exporter.pot) and merge
# it into every language's catalog (new strings arrive empty, then need a translator; tests/test_i18n.py
# fails until every catalog is complete). The .po files are read as they are at build time: nothing to compile.
set -euo pipefail
cd "$(dirname "$0")/.."
locale=exporter/i18n/locale
.venv/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --no-wrap \
  --project exporter --copyright-holder "exporter authors" --msgid-bugs-address "" \
  -o "$locale/exporter.pot" . >/dev/null 2>&1
for catalog in "$locale"/*/LC_MESSAGES/exporter.po; do
  language=$(basename "$(dirname "$(dirname "$catalog")")")
  .venv/bin/pybabel update -D exporter -l "$language" -i "$locale/exporter.pot" -o "$catalog" --no-wrap \
    --no-fuzzy-matching --ignore-obsolete >/dev/null
done
