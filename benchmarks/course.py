"""A synthetic HackMD course for the benchmarks: lessons like the sample course's, as many as asked.

    .venv/bin/python benchmarks/course.py OUT --lessons 100 [--big-lesson-kb 5000] [--seed 7]

Each lesson is about 5 KB of HackMD: front matter with a `Week N` tag (so lessons group into modules),
headings, paragraphs with emphasis, :::info / :::warning callouts, a numbered and a bullet list, a pipe
table, a code block, one or two local PNG figures and a {%youtube %} embed. `--big-lesson-kb` adds one more
lesson of that size (the kind that once took 9.5 minutes and 3.2 GB to print). The same seed gives the
same files. `OUT.md`, beside the course folder (inside it, it would be one more lesson), is the same text as
plain pandoc Markdown: what the peers read.
"""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

WORDS = ("pipeline lead prospect discovery demo proposal objection closing quota cadence account buyer "
         "champion budget authority need timeline forecast territory renewal onboarding handover "
         "qualification persona outreach sequence meeting follow-up pricing contract signature").split()
TOPICS = ("Prospecting", "Cold calling", "Discovery", "Demos", "Proposals", "Negotiation", "Closing",
          "Forecasting", "Account planning", "Handover")
VIDEOS = ("aqz-KE-bpKQ", "ScMzIvxBSi4", "jNQXAC9IVRw", "M7lc1UVf-VE")


def sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(8, 16))
    words[rng.randrange(len(words))] = f"**{words[0]}**" if rng.random() < 0.3 else f"*{words[-1]}*"
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 5)))


def section(rng: random.Random, title: str, figure: str | None) -> list[str]:
    out = [f"## {title}", "", paragraph(rng), "", paragraph(rng), ""]
    kind = rng.choice(("info", "warning", "success"))
    out += [f":::{kind}", sentence(rng), "", "1. " + sentence(rng), "2. " + sentence(rng), ":::", ""]
    out += [f"- {sentence(rng)}" for _ in range(rng.randint(2, 4))] + [""]
    if figure:
        out += [f"![A diagram of {title.lower()}]({figure})", ""]
    return out


def lesson(rng: random.Random, number: int, week: int, figures: list[str], sections: int = 3) -> str:
    topic = TOPICS[number % len(TOPICS)]
    out = ["---", f"title: {topic} {number}", f"tags: Week {week}", "---", "", f"# {topic} {number}", "",
           paragraph(rng), ""]
    for index in range(sections):
        out += section(rng, f"{topic} step {index + 1}", figures[index] if index < len(figures) else None)
    out += ["| Stage | Owner | Exit criterion | Days |", "|---|---|---|---:|"]
    out += [f"| {rng.choice(WORDS)} | {rng.choice(('SDR', 'AE', 'SE'))} | {sentence(rng)} | {rng.randint(1, 30)} |"
            for _ in range(4)] + [""]
    out += ["```python", "def weighted(deals):", "    return sum(d.value * d.probability for d in deals)", "```", ""]
    out += [":::warning", sentence(rng), ":::", "", f"{{%youtube {rng.choice(VIDEOS)} %}}", ""]
    return "\n".join(out)


def figure(path: Path, rng: random.Random) -> None:
    """A 1000x560 diagram: boxes and arrows over a grainy band, like a screenshot (compresses as one would)."""
    image = Image.new("RGB", (1000, 560), (248, 248, 250))
    draw = ImageDraw.Draw(image)
    for index in range(rng.randint(4, 6)):
        left = 40 + index * 160
        draw.rectangle([left, 140, left + 130, 260], fill=(30 + 30 * index, 90, 170 - 15 * index))
        draw.line([left + 130, 200, left + 160, 200], fill=(50, 50, 50), width=5)
    grain = Image.effect_noise((920, 120), rng.randint(25, 55)).filter(ImageFilter.SMOOTH).convert("RGB")
    image.paste(grain, (40, 340))
    image.save(path)


def generate(out: Path, lessons: int, big_lesson_kb: int = 0, seed: int = 7) -> list[Path]:
    """Write the course into `out` (course.yml, NNN-*.md, images/) and the peers' book to `out`.md; return
    the lesson files."""
    rng = random.Random(seed)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "course.yml").write_text(f"title: Synthetic Sales Course\nslug: synthetic\nlanguage: en\n"
                                    f"author: Benchmark\nversion: '{lessons}'\n", encoding="utf-8")
    files = []
    for number in range(lessons):
        names = []
        for index in range(rng.choice((1, 2))):
            name = f"images/l{number:03d}-{index}.png"
            figure(out / name, rng)
            names.append(name)
        path = out / f"{number:03d}-lesson.md"
        path.write_text(lesson(rng, number, 1 + number * 8 // max(lessons, 1), names), encoding="utf-8")
        files.append(path)
    if big_lesson_kb:
        path = out / f"{lessons:03d}-big-lesson.md"
        sections = max(3, big_lesson_kb * 1000 // 1600)  # a section prints about 1.6 KB of HackMD
        path.write_text(lesson(rng, lessons, 8, [], sections), encoding="utf-8")
        files.append(path)
    peer_book(out).write_text(plain_book(files), encoding="utf-8")
    return files


def peer_book(out: Path) -> Path:
    """Where the plain-Markdown book of the course in `out` goes."""
    return out.with_name(out.name + ".md")


def plain_book(files: list[Path]) -> str:
    """The lessons as one pandoc Markdown book: front matter dropped, embeds as links, callouts as divs."""
    parts = []
    for path in files:
        text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"\{%youtube (\S+) %\}", r"[Video](https://www.youtube.com/watch?v=\1)", text)
        parts.append(re.sub(r"^:::(\w+)$", r"::: \1", text, flags=re.M))
    return "---\ntitle: Synthetic Sales Course\nlang: en\n---\n\n" + "\n\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lessons", type=int, default=100)
    parser.add_argument("--big-lesson-kb", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files = generate(args.out, args.lessons, args.big_lesson_kb, args.seed)
    size = sum(path.stat().st_size for path in files)
    print(f"{len(files)} lessons, {size / 1024:.0f} KiB of HackMD, in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
