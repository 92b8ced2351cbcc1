"""Write exporter/render/highlight-table.json: what the pinned pandoc's highlighter answers for its language
names and for code block classes authors often write that are not among them (`text`, `sh`, `yml`...).

pandoc looks a class it does not know by name up as a file extension, reading every syntax definition (0.4 s
of every write process that meets one). With this table a build looks nothing up for those classes, with or
without its cache (render/highlight.py). Run it after changing the pinned pypandoc-binary; the suite checks
the table against pandoc's live answers (tests/test_render.py) and a build ignores a table written for
another pandoc.

    .venv/bin/python scripts/highlight_table.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exporter import pandoc  # noqa: E402
from exporter.render.highlight import TABLE  # noqa: E402

CLASSES = sorted({
    "text", "txt", "plain", "plaintext", "none", "output", "log", "sh", "shell", "console", "terminal", "zsh",
    "ps1", "psm1", "pwsh", "bat", "cmd", "js", "mjs", "cjs", "jsx", "ts", "tsx", "py", "py3", "ipython", "rb",
    "yml", "md", "mdx", "htm", "xhtml", "vue", "svelte", "json5", "jsonc", "toml", "env", "conf", "cfg", "ini",
    "properties", "dockerfile", "docker", "make", "mk", "gradle", "kt", "kts", "rs", "golang", "cs", "c#",
    "csharp", "c++", "cpp", "cc", "h", "hpp", "objc", "m", "pl", "pm", "r", "psql", "mysql", "sqlite", "plsql",
    "graphql", "gql", "patch", "csv", "tsv", "tex", "bib", "vim", "ex", "exs", "erl", "hs", "ml", "fs", "fsharp",
    "asm", "nasm", "s", "sol", "proto", "nginx", "apacheconf", "htaccess", "svg", "plist", "csproj", "sln",
    "wrap", "diff", "jsonl", "ndjson", "hcl", "tf", "nix", "lisp", "el", "clj", "cljs", "scm", "rkt", "jl",
    "dart", "swift", "php", "lua", "scala", "groovy", "pas", "f90", "vb", "vbs", "abap", "cobol", "ada", "d",
})
"""Classes that are not language names (those need no lookup) yet appear in course notes."""


def table() -> dict:
    languages = pandoc.highlight_languages()
    lookups = [name for name in CLASSES if name.lower() not in languages]
    return {"pandoc": pandoc.version(), "languages": sorted(languages),
            "classes": dict(sorted(pandoc.highlighter_names(lookups).items()))}


if __name__ == "__main__":
    TABLE.write_text(json.dumps(table(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {TABLE}")
