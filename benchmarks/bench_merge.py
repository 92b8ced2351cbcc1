"""Why the PDF's parts are merged with pikepdf: the merge's core work timed with pikepdf and with pypdf.

    .venv/bin/python benchmarks/bench_merge.py [COURSE] [--jobs N]

Lays out COURSE's PDF parts and stamps once (default: a 100-lesson synthetic course), then times, with
each library, what every merge does: append every part's pages to the first part, lay a stamp page over
each page, and write the book.
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def lay_out_parts(course: Path, jobs: int) -> tuple[list[bytes], list[bytes]]:
    from exporter.diagnostics import Reporter
    from exporter.exporters.pdf import PdfExporter, layout
    from exporter.pipeline import BuildOptions, prepare
    from exporter.render import render_lessons
    from exporter.theme import load_theme

    reporter = Reporter()
    tree, manifest = prepare(BuildOptions(source=course, offline=True, skip_broken=True), reporter)
    book = PdfExporter(jobs).print_html(tree, render_lessons(tree, reporter), manifest, load_theme(), reporter)
    shell = next(doc.content for doc in book.documents if doc.name == layout.SHELL)
    groups = layout.plan_parts([doc for doc in book.documents if doc.name != layout.SHELL], jobs)
    files = dict(book.resources)
    scratch = Path(tempfile.mkdtemp(prefix="exporter-merge-parts-"))
    tasks = []
    for index, group in enumerate(groups):
        html = layout._part_html(shell, group, index == 0, index == len(groups) - 1)
        tasks.append((html, {k: v for k, v in files.items() if k in html}, None, scratch / f"{index}.pdf"))
    with layout._workers(jobs, len(tasks)) as pool:
        parts = layout._map(pool, layout.lay_out_part, tasks)
        placed = layout._place(parts, groups, False)
        stamps = layout._map(pool, layout.lay_out_stamps, layout._stamp_documents(shell, placed, reporter, jobs))
    return [part.pdf.read_bytes() for part in parts], stamps


def with_pikepdf(parts: list[bytes], stamps: list[bytes]) -> bytes:
    import pikepdf

    book = pikepdf.Pdf.open(io.BytesIO(parts[0]))
    sources = [pikepdf.Pdf.open(io.BytesIO(part)) for part in parts[1:]]
    with warnings.catch_warnings():  # named destinations are carried separately by the real merge
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for source in sources:
            book.pages.extend(source.pages)
    stamp_docs = [pikepdf.Pdf.open(io.BytesIO(pdf)) for pdf in stamps]
    for page, stamp in zip(book.pages, [p for doc in stamp_docs for p in doc.pages]):
        page.add_overlay(stamp)
    out = io.BytesIO()
    book.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def with_pypdf(parts: list[bytes], stamps: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    stamp_pages = [page for pdf in stamps for page in PdfReader(io.BytesIO(pdf)).pages]
    for page, stamp in zip(writer.pages, stamp_pages):
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("course", nargs="?", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    course = args.course
    if course is None:
        from course import generate
        course = Path(tempfile.mkdtemp(prefix="exporter-merge-")) / "course"
        generate(course, 100)
    parts, stamps = lay_out_parts(course, args.jobs)
    print(f"{len(parts)} parts, {sum(len(p) for p in parts) / 1e6:.1f} MB, stamps in {len(stamps)} chunks")
    for name, merge in (("pikepdf", with_pikepdf), ("pypdf", with_pypdf)):
        start = time.perf_counter()
        size = len(merge(parts, stamps))
        print(f"  {name:<8} append + overlay + write: {time.perf_counter() - start:6.2f} s, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
