"""Stage 3, assets: every image and embed thumbnail resolved to a local file in an AssetManifest.

After this stage every Image node (and raw HTML `<img>`) points at a manifest key
`assets/<sha256[:16]>.<ext>` or has become a `span.image-missing` placeholder that keeps its alt text
and address visible; YouTube embeds carry `data-thumb` when a thumbnail could be had. Nothing a
format ships comes from anywhere else.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

from exporter.assets import tree
from exporter.assets.images import InvalidImage, PreparedImage, Rendition, prepare_image
from exporter.assets.local import LocalImage, is_local, resolve_local
from exporter.assets.remote import Cache, FetchError, Fetcher, open_cache, read_lockfile
from exporter.cache import BuildCache
from exporter.diagnostics import Code, Reporter
from exporter.model import Asset, AssetManifest, AssetNote, Course, SourcePos
from exporter import ast

__all__ = ["resolve_assets", "for_profile"]

_THUMBNAIL_URLS = {"youtube": "https://img.youtube.com/vi/{target}/hqdefault.jpg"}
"""Providers whose thumbnail is a plain image URL (Vimeo's needs an API call, so it has none)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    key: str | None
    problem: str | None = None
    """None, 'outside' (error), 'missing' or 'invalid' (warnings)."""
    reason: str = ""
    notes: tuple[tuple[str, str], ...] = ()


def resolve_assets(course: Course, root: Path, reporter: Reporter, offline: bool = False,
                   cache: Cache | None = None, builds: BuildCache | None = None) -> tuple[Course, AssetManifest]:
    """Resolve every image of `course` (content folder `root`); never touches the network when offline.
    `builds` remembers which image files were already checked, by content (decoding all is what costs)."""
    resolver = _Resolver(root, cache or open_cache(), offline, builds or BuildCache(None))
    refs, thumbs = _collect(course)
    resolver.fetch_remote([r.src for r in refs if _is_remote(r.src)] + list(thumbs))
    resolver.check_local_ahead(refs)
    modules = tuple(dataclasses.replace(module, lessons=tuple(
        dataclasses.replace(lesson, body=_rewrite_lesson(lesson, resolver, reporter)) for lesson in module.lessons))
        for module in course.modules)
    _course_images(course, resolver, reporter)
    return dataclasses.replace(course, modules=modules), resolver.manifest()


COURSE_IMAGES = ("logo", "cover")
"""course.yml keys that name an image, relative to the content folder."""


def _course_images(course: Course, resolver: "_Resolver", reporter: Reporter) -> None:
    for name in COURSE_IMAGES:
        src = getattr(course.config, name)
        if not src:
            continue
        outcome = resolver.image("course.yml", src)
        if outcome.key is None:
            code = Code.ASSET_OUTSIDE_ROOT if outcome.problem == "outside" else Code.ASSET_MISSING
            reporter.warning(code, f"course.yml {name} '{src}' cannot be used: {outcome.reason}; the outputs "
                             f"go without it (give a path relative to the content folder)", SourcePos("course.yml", 1))


def course_image(course: Course, manifest: AssetManifest, name: str) -> Asset | None:
    """The asset of a course.yml image (`logo`, `cover`), if the stage could carry it."""
    src = getattr(course.config, name)
    if not src:
        return None
    wanted = {src, src.removeprefix("./")}
    return next((a for a in manifest.assets if a.origin in wanted and a.media_type.startswith("image/")), None)


def for_profile(html: str, manifest: AssetManifest, profile: str) -> str:
    """Point `src`/`data-thumb` keys in rendered HTML at the `profile` variant ('screen' for EPUB/SCORM)."""
    def swap(match: re.Match) -> str:
        asset = manifest.for_profile(match.group(2), profile)
        return match.group(1) + (asset.key if asset else match.group(2)) + match.group(3)
    return re.sub(r'((?:src|data-thumb)=")(assets/[0-9a-f]{16}\.[a-z]+)(")', swap, html)


def _is_remote(src: str) -> bool:
    return bool(re.match(r"^(https?:)?//", src.strip(), re.I))


def _absolute_url(src: str) -> str:
    src = src.strip()
    return "https:" + src if src.startswith("//") else src


def _collect(course: Course) -> tuple[list[tree.ImageRef], dict[str, None]]:
    refs: list[tree.ImageRef] = []
    thumbs: dict[str, None] = {}

    def visit(node: dict, line: int) -> None:
        if node["t"] == "Image":
            refs.append(tree.ImageRef(lesson.source, line, tree.image_src(node), ""))
        elif node["t"] in ("RawInline", "RawBlock") and node["c"][0] == "html":
            refs.extend(tree.ImageRef(lesson.source, line, a.get("src", ""), "")
                        for _, a in tree.raw_img_tags(node["c"][1]))
        elif node["t"] == "Div" and "embed" in ast.classes(node) and _thumbnail_url(node):
            thumbs[_thumbnail_url(node)] = None
        return None

    for lesson in course.lessons:
        tree.map_lesson(lesson, visit)
    return refs, thumbs


def _thumbnail_url(node: dict) -> str | None:
    template = _THUMBNAIL_URLS.get((ast.attribute(node, "provider") or "").lower())
    target = ast.attribute(node, "target") or ""
    return template.format(target=target) if template and re.fullmatch(r"[\w-]{6,20}", target) else None


def _rewrite_lesson(lesson, resolver: "_Resolver", reporter: Reporter) -> tuple:
    def report(outcome: Outcome, src: str, line: int, thing: str = "image") -> None:
        pos = SourcePos(lesson.source, line)
        shown = _shown(src)
        if outcome.problem == "outside":
            why = f" ({outcome.reason})" if outcome.reason else ""
            reporter.error(Code.ASSET_OUTSIDE_ROOT, f"{thing} '{shown}' resolves outside the content folder{why} "
                           "and was refused: copy the image into the course folder and use a relative path", pos)
        elif outcome.problem == "invalid":
            reporter.warning(Code.ASSET_INVALID, f"{thing} '{shown}' cannot be used: {outcome.reason}; a "
                             "placeholder stands in", pos)
        elif outcome.problem:
            reporter.warning(Code.ASSET_MISSING, f"{thing} '{shown}' is not available: {outcome.reason}; a "
                             "placeholder with its alt text and address stands in", pos)
        resolver.note(lesson.source, line, src, outcome)

    def undescribed(src: str, line: int, how: str) -> None:
        """An image that ships (a placeholder shows its address instead) without a text alternative."""
        reporter.warning(Code.ASSET_UNDESCRIBED, f"image '{_shown(src)}' has no description: screen readers, the "
                         f"PDF's tags and the EPUB's accessibility claim have nothing to say for it; {how}",
                         SourcePos(lesson.source, line))

    def visit(node: dict, line: int) -> Any:
        if node["t"] == "Image":
            src = tree.image_src(node)
            outcome = resolver.image(lesson.source, src)
            report(outcome, src, line)
            if outcome.key is None:
                return tree.placeholder_span(node["c"][1], src, line, outcome.reason)
            if not ast.plain_text(node["c"][1]).strip():
                undescribed(src, line, f"write what it shows: ![what it shows]({src})")
            node["c"][2] = [outcome.key, node["c"][2][1]]
        elif node["t"] in ("RawInline", "RawBlock") and node["c"][0] == "html" and "<img" in node["c"][1].lower():
            node["c"][1] = tree.replace_raw_imgs(node["c"][1], lambda attrs: _raw_img(attrs, line))
        elif node["t"] == "Div" and "embed" in ast.classes(node):
            _add_thumbnail(node, line)
        return None

    def _raw_img(attrs: dict[str, str], line: int) -> str:
        src = attrs.get("src", "")
        outcome = resolver.image(lesson.source, src)
        report(outcome, src, line)
        if outcome.key is None:
            return tree.placeholder_html(attrs.get("alt", ""), src, line, outcome.reason)
        if not attrs.get("alt", "").strip():
            undescribed(src, line, 'write what it shows in the tag: alt="what it shows"')
        return tree.img_html(outcome.key, attrs)

    def _add_thumbnail(node: dict, line: int) -> None:
        url = _thumbnail_url(node)
        outcome = resolver.remote(url) if url else Outcome(None, "missing", "the provider has no thumbnail")
        if outcome.key:
            node["c"][0][2] = [*node["c"][0][2], ["data-thumb", outcome.key]]
        else:
            resolver.notes.append(AssetNote("no-thumbnail", lesson.source, line,
                                            f"{ast.attribute(node, 'provider')} {ast.attribute(node, 'target')}: "
                                            f"{outcome.reason}"))

    return tree.map_lesson(lesson, visit)


def _shown(src: str) -> str:
    """An image's address as a message quotes it: a long data: URI is cut."""
    return src if len(src) < 200 else src[:120] + "…"


_Checked = tuple[str, int, int] | PreparedImage | InvalidImage
"""An image file checked ahead: usable as it is (media type, width, height), made usable, or refused."""


class _Resolver:
    """Per-build state of the stage: what was read, fetched and stored, by source and by content."""

    def __init__(self, root: Path, cache: Cache, offline: bool, builds: BuildCache) -> None:
        self.root, self.cache, self.offline, self.builds = root, cache, offline, builds
        self.locked = read_lockfile(root)
        self.raw: dict[str, bytes | str] = {}
        """URL -> fetched bytes, or the reason it could not be had."""
        self.by_content: dict[str, Outcome] = {}
        self.by_source: dict[tuple[str, str], Outcome] = {}
        self.assets: dict[str, Asset] = {}
        self.notes: list[AssetNote] = []
        self._noted: set[tuple[str, int, str]] = set()
        self._local: dict[tuple[str, str], LocalImage] = {}
        self._checked_ahead: dict[str, _Checked] = {}
        """sha256 of an image file -> what checking it found, worked out ahead (`check_local_ahead`)."""

    # -- local, checked ahead
    def check_local_ahead(self, refs: list[tree.ImageRef]) -> None:
        """Check the local images in threads: decoding is most of the stage's time and Pillow decodes
        without the interpreter lock, so they share the machine's cores. Only the checks run here (each
        file read in its thread, and only its facts kept when it is usable as it is: no course's figures are
        all held in memory); what they mean for each lesson is decided in reading order, as without this."""
        paths = set()
        for ref in refs:
            if _is_remote(ref.src) or ref.src.strip().lower().startswith("data:"):
                continue
            found = self._local_file(ref.lesson, ref.src)
            if found.path is not None:
                paths.add(found.path)
        if len(paths) < 2 or (os.cpu_count() or 1) < 2:
            return
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            self._checked_ahead.update(item for item in pool.map(self._check_file, sorted(paths)) if item)

    def _check_file(self, path: Path) -> tuple[str, _Checked] | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None  # said when the lesson's image is resolved
        digest = hashlib.sha256(data).hexdigest()
        if self.builds.get(self.builds.key("image-as-is", digest)) is not None:
            return None
        try:
            prepared = prepare_image(data)
        except InvalidImage as exc:
            return digest, exc
        print_ = prepared.print
        as_is = print_.data is data and prepared.screen is None and not prepared.notes
        return digest, ((print_.media_type, print_.width, print_.height) if as_is else prepared)

    # -- remote
    def fetch_remote(self, urls: list[str]) -> None:
        wanted = sorted({_absolute_url(u) for u in urls})
        to_fetch = []
        for url in wanted:
            digest = self.locked.get(url, ("",))[0] or self.cache.digest_for_url(url)
            data = self.cache.get(digest) if digest else None
            if data is not None:
                self.raw[url] = data
            elif self.offline:
                self.raw[url] = "it is not in the image cache and --offline is on (build once online to cache it)"
            else:
                to_fetch.append(url)
        for url, result in Fetcher().fetch_all(to_fetch).items():
            if isinstance(result, FetchError):
                self.raw[url] = f"download failed: {result}"
                continue
            self.cache.remember_url(url, self.cache.put(result))
            self.raw[url] = result

    def remote(self, url: str) -> Outcome:
        url = _absolute_url(url)
        data = self.raw.get(url, "it was not fetched")
        return Outcome(None, "missing", data) if isinstance(data, str) else self._store(data, url)

    # -- any image source
    def image(self, lesson: str, src: str) -> Outcome:
        folder = str(PurePosixPath(lesson).parent)
        key = (folder, src)
        if key not in self.by_source:
            self.by_source[key] = self._resolve(lesson, src)
        return self.by_source[key]

    def _resolve(self, lesson: str, src: str) -> Outcome:
        if not src.strip():
            return Outcome(None, "missing", "the image has no address")
        if _is_remote(src):
            return self.remote(src)
        if src.strip().lower().startswith("data:"):
            return self._data_uri(src)
        found = self._local_file(lesson, src)
        if found.path is None:
            return Outcome(None, found.problem, found.reason)
        try:
            data = found.path.read_bytes()
        except OSError as exc:
            return Outcome(None, "missing", f"it cannot be read ({exc.strerror})")
        return self._store(data, found.path.relative_to(self.root.resolve()).as_posix(), found.path)

    def _local_file(self, lesson: str, src: str) -> LocalImage:
        """`resolve_local`, once per folder and address in a build: the check ahead and the reading-order
        pass both ask (resolving follows every symbolic link of the path: a few system calls a part)."""
        key = (str(PurePosixPath(lesson).parent), src)
        if key not in self._local:
            self._local[key] = resolve_local(self.root, lesson, src)
        return self._local[key]

    def _data_uri(self, src: str) -> Outcome:
        header, _, payload = src.strip().partition(",")
        try:
            data = base64.b64decode(payload, validate=True) if header.endswith(";base64") else payload.encode()
        except (binascii.Error, ValueError):
            return Outcome(None, "invalid", "the data: URI is not valid base64")
        return self._store(data, "data: URI")

    def _store(self, data: bytes, origin: str, original: Path | None = None) -> Outcome:
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self.by_content:
            try:
                prepared = self._prepared(data, digest)
            except InvalidImage as exc:
                self.by_content[digest] = Outcome(None, "invalid", str(exc))
            else:
                as_is = prepared.print.data is data
                self.by_content[digest] = self._register(prepared, origin, original if as_is else None,
                                                         digest if as_is else None)
        return self.by_content[digest]

    def _prepared(self, data: bytes, digest: str) -> PreparedImage:
        """`prepare_image`, skipped for a file an earlier build found usable as it is."""
        key = self.builds.key("image-as-is", digest)
        known = self.builds.get(key)
        if known is not None:
            return PreparedImage(Rendition(data, *known), None)
        ahead = self._checked_ahead.pop(digest, None)
        if isinstance(ahead, InvalidImage):
            raise ahead
        if isinstance(ahead, tuple):  # usable as it is
            prepared = PreparedImage(Rendition(data, *ahead), None)
        elif ahead is not None and ahead.print.data == data:  # printed as it is (a smaller copy for screens)
            prepared = dataclasses.replace(ahead, print=dataclasses.replace(ahead.print, data=data))
        else:
            prepared = ahead or prepare_image(data)
        if prepared.print.data is data and prepared.screen is None and not prepared.notes:
            self.builds.put(key, (prepared.print.media_type, prepared.print.width, prepared.print.height))
        return prepared

    def _register(self, prepared: PreparedImage, origin: str, original: Path | None,
                  digest: str | None) -> Outcome:
        """`digest`: the print rendition's sha256 when it is known already (the file as it is)."""
        variants = ()
        if prepared.screen is not None:
            screen = self._asset(prepared.screen, f"{origin} (screen copy)", None)
            variants = (("screen", screen.key),)
        asset = dataclasses.replace(self._asset(prepared.print, origin, original, digest), variants=variants)
        self.assets[asset.key] = asset
        return Outcome(asset.key, notes=prepared.notes)

    def _asset(self, rendition: Rendition, origin: str, original: Path | None, digest: str | None = None) -> Asset:
        digest = digest or hashlib.sha256(rendition.data).hexdigest()
        name = f"{digest[:16]}.{rendition.extension}"
        path = original
        if path is None:
            path = self.cache.derived_path(name)
            if not path.is_file() or path.stat().st_size != len(rendition.data):
                from exporter._files import atomic_write
                atomic_write(path, rendition.data)
        asset = self.assets.get(f"assets/{name}") or Asset(f"assets/{name}", path, rendition.media_type, origin,
                                                           rendition.width, rendition.height)
        self.assets[asset.key] = asset
        return asset

    # -- results
    def note(self, lesson: str, line: int, src: str, outcome: Outcome) -> None:
        if (lesson, line, src) in self._noted:
            return
        self._noted.add((lesson, line, src))
        if outcome.problem:
            kind = {"outside": "refused"}.get(outcome.problem, outcome.problem)
            self.notes.append(AssetNote(kind, lesson, line, f"{src}: {outcome.reason}"))
        for kind, detail in outcome.notes:
            self.notes.append(AssetNote(kind, lesson, line, f"{src}: {detail}"))

    def manifest(self) -> AssetManifest:
        lock = self._lock_entries()
        old = tuple(sorted((url, d, m) for url, (d, m) in self.locked.items()))
        return AssetManifest(assets=tuple(sorted(self.assets.values(), key=lambda a: a.key)), lock=lock,
                             lock_changed=not self.offline and lock != old, notes=tuple(self.notes))

    def _lock_entries(self) -> tuple[tuple[str, str, str], ...]:
        """Every remote image used: its fetched bytes' hash; URLs that failed keep their old entry."""
        entries = {}
        for url, data in self.raw.items():
            if isinstance(data, bytes):
                outcome = self.by_content.get(hashlib.sha256(data).hexdigest())
                if outcome and outcome.key:
                    entries[url] = (hashlib.sha256(data).hexdigest(), self.assets[outcome.key].media_type)
            elif url in self.locked:
                entries[url] = self.locked[url]
        return tuple(sorted((url, d, m) for url, (d, m) in entries.items()))
