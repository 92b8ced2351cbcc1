"""A grammar of HackMD lessons and course folders, hostile on purpose: every construct exporter reads, in
forms an author would write and forms an attacker or a broken export would produce.

`course(rng)` returns a case (see cases.py). Deterministic for a given `random.Random` state.
"""
from __future__ import annotations

import random

from fuzz.cases import CANARY

# ------------------------------------------------------------------------------------------ inline pieces

WORDS = ["deal", "pipeline", "quota", "lead", "café", "naïve", "日本語", "العربية", "עברית", "😄", "x", "Week",
         "The", "a", "1.", "-", "#", "|", "\\", "&amp;", "&nbsp;", "&#0;", "&#x1F600;", "\u200b", "\u202e", "\t"]
PAYLOADS = [
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">j</a>',
    '<a href="jav&#x09;ascript:alert(1)">j</a>', '<svg onload=alert(1)>', '<iframe src="https://evil.example"></iframe>',
    '<div class="embed" data-player="javascript:alert(1)//">x</div>', '<span class="embed" data-url="javascript:x">',
    '<div class="callout spoiler" data-summary="s">', '<button data-action="play" data-player="https://evil.example">',
    '<div data-line="88888">x</div>', '<span data-line="³">y</span>', '<div id="exporter-0" class="exporter-lesson">',
    '<object data="x.swf"></object>', '<embed src="x.swf">', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<a href="data:text/html,<script>alert(1)</script>">d</a>', '<style>body{display:none}</style>',
    '<img src="/etc/passwd">', '<img src="../outside/secret.png">', '<img src="file:///etc/passwd">',
    '<div/class="embed"/data-player="javascript:x">', '<div class="&#101;mbed" data-player=x>', "</div></div>",
    "<details><summary>s</summary>", "</details>", "<pre>", "<textarea>", "<?php echo 1;", "<!DOCTYPE x",
    "<![CDATA[ x", "<!-- open comment", "-->", '<div class="lesson-end">', "<form action=x><input></form>",
    '<a href="#exporter-1">n</a>', '<base href="https://evil.example/">', '<meta http-equiv="refresh" content="0">',
]
ATTRIBUTES = ['{.embed data-player="https://evil.example"}', '{.embed provider="youtube" target="x"}',
              '{.callout .info summary="s"}', '{.exercise lines="²"}', '{.exercise lines="99999999"}', "{.toc}",
              "{.spacer}", '{data-line="x"}', '{data-pos="L00000.md@99:1"}', "{#exporter-3}", "{wrapper=1}",
              '{.numberLines startFrom="abc"}', "{width=abc}", '{data-emoji="x"}', "{.math}", "{.footnotes}",
              '{.lesson-end}', '{lang=ar dir=rtl}', "{ .a .b #c key=v }", "{"]
EMBED_TARGETS = ["_Vn87bvG0eU", "124148255", "https://www.youtube.com/watch?v=_Vn87bvG0eU", "javascript:alert%281%29",
                 "https://evil.example/x.pdf", "@team/note", "a/b", "", "x\"><script>", "https://vimeo.com/1",
                 "data:text/html,x", "//evil.example", "../../etc/passwd", "theme-dark"]
PROVIDERS = ["youtube", "vimeo", "gist", "slideshare", "speakerdeck", "pdf", "figma", "hackmd", "tiktok", "YouTube"]
IMAGE_SRCS = ["img.png", "../outside/secret.png", "/etc/passwd", "file:///etc/passwd", "a" * 300 + "/b.png",
              "x" * 4000 + ".png", "https://example.invalid/a.png", "data:image/png;base64,iVBOR", "loop.png",
              "sub/../../outside/secret.png", "%2e%2e/outside/secret.png", "C:\\x.png", "\\\\server\\x.png", ""]


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def inline(rng: random.Random, depth: int = 0) -> str:
    """One inline run: text with emphasis, code, links, images, HackMD marks, footnote calls, payloads."""
    pieces = []
    for _ in range(rng.randint(1, 6)):
        pieces.append(_inline_piece(rng, depth))
    return " ".join(pieces)


def _inline_piece(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    inner = (lambda: inline(rng, depth + 1)) if depth < 3 else (lambda: _word(rng))
    options = [
        lambda: _word(rng), lambda: f"*{inner()}*", lambda: f"**{inner()}**", lambda: f"~~{inner()}~~",
        lambda: f"=={inner()}==", lambda: f"++{inner()}++", lambda: f"^{_word(rng)}^", lambda: f"~{_word(rng)}~",
        lambda: "`" * rng.randint(1, 4) + inner() + "`" * rng.randint(1, 4),
        lambda: f"[{inner()}]({rng.choice(['02.md', '#h', 'javascript:alert(1)', 'https://e.example', '../x.md'])})",
        lambda: f"![{_word(rng)}]({rng.choice(IMAGE_SRCS)}{rng.choice(['', ' =100x', ' =x50', ' =abcx'])})",
        lambda: f"[^{rng.choice(['1', 'a', 'a b', 'A', 'x' * 50])}]", lambda: f"${_word(rng)}^2$",
        lambda: f"{{%{rng.choice(PROVIDERS)} {rng.choice(EMBED_TARGETS)} %}}", lambda: rng.choice(PAYLOADS),
        lambda: f"[{inner()}]{rng.choice(ATTRIBUTES)}", lambda: f"{{ruby {_word(rng)}|{_word(rng)}}}",
        lambda: f"[name={_word(rng)}]", lambda: ":smile: :+1:", lambda: f"<span>{inner()}</span>",
        lambda: "<br>", lambda: "\\", lambda: "[ ]", lambda: "http://example.com/a_b",
    ]
    if roll < 0.005:  # a long run of one token: quadratic scans show up here
        return rng.choice(["`", "*", "_", "[", "<", "{%", "::: info ", "==", "++", "[^", "\\", " ", "#"]) * \
            rng.choice([500, 5000, 40000])
    return rng.choice(options)()


# ------------------------------------------------------------------------------------------- block pieces

def block(rng: random.Random, depth: int = 0) -> str:
    """One block (may hold others): paragraphs, headings, lists, quotes, containers, code, tables, notes."""
    nested = (lambda: block(rng, depth + 1)) if depth < 4 else (lambda: inline(rng))
    options = [
        lambda: inline(rng),
        lambda: "#" * rng.randint(1, 7) + " " + inline(rng) + rng.choice(["", " " + rng.choice(ATTRIBUTES)]),
        lambda: "\n".join(f"{rng.choice(['-', '*', '1.', '2)', '- [ ]', '- [x]'])} {inline(rng)}"
                          for _ in range(rng.randint(1, 4))),
        lambda: "\n".join("> " + line for line in nested().split("\n")),
        lambda: _container(rng, nested),
        lambda: _fence(rng),
        lambda: "| a | b |\n|---|:-:|\n" + "\n".join(f"| {inline(rng)} | {inline(rng)} |" for _ in range(2)),
        lambda: f"[^{rng.choice(['1', 'a', 'a b'])}]: {inline(rng)}",
        lambda: _footnote_trap(rng),
        lambda: rng.choice(PAYLOADS),
        lambda: "[TOC]", lambda: "&nbsp;", lambda: "---", lambda: "###### tags: `Week 2` `x`",
        lambda: f"*[{_word(rng)}]: {_word(rng)}", lambda: f"Term\n: {inline(rng)}",
        lambda: "$$\n" + rng.choice(FORMULAS) + "\n$$",
        lambda: f"<iframe src=\"{rng.choice(['https://www.youtube.com/embed/_Vn87bvG0eU', 'https://evil.example'])}\">"
                "</iframe>",
        lambda: _deep(rng),
    ]
    return rng.choice(options)()


FORMULAS = ["x^2", "{a \\over b}", "\\frac{1}{", "\\begin{x}", "\\" * 50]


def _container(rng: random.Random, nested) -> str:
    name = rng.choice(["info", "success", "warning", "danger", "spoiler", "spoiler Title {state=open}", "exercise",
                       "exercise Do it {lines=8}", "exercise {lines=²}", "answer", "tip", "bogus", "{.callout .info}",
                       "{.exercise lines=3}", "{.embed}", "info {.x}"])
    colons = ":" * rng.choice([3, 3, 4, 5])
    close = rng.choice([colons, colons, "", ":::"])  # sometimes never closed
    return f"{colons}{rng.choice(['', ' '])}{name}\n{nested()}\n{close}"


def _fence(rng: random.Random) -> str:
    info = rng.choice(["", "js", "js=", "js=101", "js=+", "js!", "mermaid", "{.numberLines startFrom=\"abc\"}",
                       "python=" + "9" * 20, "{.x data-pos=\"L00000.md@1:1\"}", "`x`"])
    fence = rng.choice(["```", "~~~", "````"])
    body = rng.choice(["code", "<div class=\"embed\">", "[^a]: [^a]", ":::info", "```", ""])
    return f"{fence}{info}\n{body}\n{rng.choice([fence, '', '```'])}"


def _footnote_trap(rng: random.Random) -> str:
    """Footnotes that call themselves or each other, in the places pandoc also reads definitions."""
    label = rng.choice(["a", "a b", "A", "n1"])
    other = rng.choice([label, "b", label.upper()])
    shapes = [f"x[^{label}]\n\n[^{label}]: see [^{other}]", f"x[^{label}]\n\n> [^{label}]: see [^{other}]",
              f"x[^{label}]\n\n- [^{label}]: see [^{other}]", f"x[^{label}]\n\n1. > [^{label}]: y\n   [^{other}]",
              f"x[^{label}]\n\n[^{label}]: y\n\n    more [^{other}]", f"[^{label}]: [^{other}]\n[^{other}]: [^{label}]"]
    return rng.choice(shapes)


def _deep(rng: random.Random) -> str:
    """Nesting far past anything real: quotes, lists, containers, emphasis, brackets."""
    n = rng.choice([20, 60, 200, 1000])
    shapes = ["> " * n + "deep", "\n".join("  " * i + "- x" for i in range(n)), "\n".join([":::info"] * n) + "\nx",
              "*" * n + "x" + "*" * n, "[" * n + "x" + "]" * n, "- " * n + "x", "1. " * n + "x",
              " ::: info " * n, "<div>" * n, "~" * n + "x" + "~" * n]
    return rng.choice(shapes)


# ------------------------------------------------------------------------------------------ front matter

TITLES = ["Plain", '"A\\x01B"', '"\\ud800"', '"\\uffff"', "[a, b]", "{a: b}", "9" * 5000, "A" + chr(7) + "B",
          "!!int abc", "2024-02-30", "*x", "&x [1]", '"a\\nb"']
TAGS = ["[Week 1]", "Week 2, x", "123", "[[[]]]", "{a: 1}"]
ALIAS_BOMB = ("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
              "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\ntitle: *e")


def front_matter(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return ""
    keys = ["title: " + rng.choice(TITLES), "tags: " + rng.choice(TAGS), "lang: " + rng.choice(["ar", "en", "[x]", ""]),
            "dir: " + rng.choice(["rtl", "ltr", "x", "[]"]), "type: " + rng.choice(["slide", "note"]),
            "date: " + rng.choice(["2024-02-30", "2024-01-01", "x"]),
            "x: " + "[" * rng.choice([10, 40, 3000]) + "]" * 10, ALIAS_BOMB]
    chosen = rng.sample(keys, rng.randint(1, 3))
    closer = rng.choice(["---", "---", "...", ""])
    return "---\n" + "\n".join(chosen) + f"\n{closer}\n"


def lesson(rng: random.Random) -> str:
    blocks = [block(rng) for _ in range(rng.randint(1, 12))]
    text = front_matter(rng) + rng.choice(["", f"# {inline(rng)}\n\n"]) + "\n\n".join(blocks) + "\n"
    if rng.random() < 0.05:
        text = text.replace("\n", " ")  # a lesson that lost its line breaks
    if rng.random() < 0.05:
        text = text.replace("\n", rng.choice(["\r\n", "\r"]))
    if rng.random() < 0.03:
        text = "\ufeff" + text
    return text


# ------------------------------------------------------------------------------------------------ courses

NAMES = ["01.md", "02-intro.md", "lesson 10.md", "sub/03.md", "Ü.md", "a b.md", ".hidden.md", "README.md",
         "x" * 240 + ".md", "04.txt", "05.markdown"]


def course(rng: random.Random) -> dict:
    """A case: one to three generated lessons, sometimes a hostile course.yml, odd names and links."""
    names = rng.sample(NAMES, rng.randint(1, 3))
    files = [{"name": name, "text": lesson(rng)} for name in names]
    files += _odd_files(rng, names)
    return {"about": "grammar", "course_yml": _course_yml(rng, names), "files": files}


def _odd_files(rng: random.Random, names: list[str]) -> list[dict]:
    odd = []
    if rng.random() < 0.15:
        odd.append({"name": "zz-link.md", "symlink": rng.choice(["{outside}/secret.md", "zz-link.md", names[0],
                                                                 "{outside}", "/etc/passwd"])})
    if rng.random() < 0.1:
        odd.append({"name": "img.png", "symlink": "{outside}/secret.png"})
    if rng.random() < 0.05:
        odd.append({"name_b64": "Y2Fm6S5tZA==", "text": "# Café\n\nx\n"})
    if rng.random() < 0.05:
        odd.append({"name": "new\nline.md", "text": "# N\n\n![x](missing.png)\n"})
    if rng.random() < 0.05:
        odd.append({"name": "bin.md", "b64": "AAECAwT/"})
    if rng.random() < 0.03:
        odd.append({"name": "loop.png", "symlink": "loop.png"})
    return odd


COURSE_EXTRAS = ["scorm: {lms: [moodle]}", "scorm: {lms: nope}", "scorm: {mode: multi}", "pdf: {notes_lines: 999999}",
                 "pdf: {notes_lines: abc}", "pdf: {pdf_variant: [x]}", 'title: "\\ud800"', "author: '\\x01'",
                 'author: "A\\x01"', "language: ar", "logo: ../outside/secret.png", "cover: /etc/passwd",
                 "date: 2024-02-30", "version: !!int x", "slug: '!!!'", "description: [a, b]"]


def _course_yml(rng: random.Random, names: list[str]) -> str | None:
    roll = rng.random()
    if roll < 0.4:
        return None
    entries = names + rng.sample(["./" + names[0], "../outside/secret.md", "/etc/passwd", "missing.md", "42",
                                  "{a: b}", "[x]", "sub/../" + names[0], "zz-link.md", "\"\\x01.md\""], rng.randint(0, 2))
    lessons = ", ".join(e if e.startswith(("{", "[", '"')) else f"'{e}'" for e in entries)
    extras = rng.sample(COURSE_EXTRAS, rng.randint(0, 3))
    if rng.random() < 0.5:
        body = "modules:\n  - title: " + rng.choice(["Week 1", "[x]", '"\\x07"', ""]) + f"\n    lessons: [{lessons}]"
    else:
        body = f"lessons: [{lessons}]"
    return "title: Fuzz course\n" + "\n".join(extras) + ("\n" if extras else "") + body + "\n" + CANARY_COMMENT


CANARY_COMMENT = f"# course.yml is inside the course: {CANARY[:8]} (not the canary itself)\n"
