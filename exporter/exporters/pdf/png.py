"""A PNG's pixels handed to the PDF as they are: its compressed image data is already a PDF image stream.

PDF's FlateDecode with PNG predictors (/Predictor 15) reads exactly what a PNG's IDAT chunks hold, so an
8-bit, non-interlaced grey or RGB PNG without transparency can be embedded without decoding it (img2pdf
does the same). WeasyPrint 70 decodes every PNG and compresses it again instead: on the 100-lesson course
that was about a tenth of the layout's CPU time (docs/performance.md). Every other PNG (palette, 16-bit,
interlaced, with alpha or transparency, or one that does not parse) takes WeasyPrint's own way.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {0: ("L", 1), 2: ("RGB", 3)}
"""PNG colour type -> the Pillow mode WeasyPrint gives the image, and colour components per pixel."""


@dataclass(frozen=True, slots=True)
class PngData:
    """What a PDF image stream needs of a PNG that can be embedded as it is."""

    width: int
    height: int
    mode: str
    colours: int
    data: bytes
    """The IDAT chunks' bytes, joined: one zlib stream of filtered scanlines."""


def embeddable(png: bytes) -> PngData | None:
    """The PNG's image data if PDF can read it as it is, else None (take the decoding way)."""
    if not png.startswith(SIGNATURE):
        return None
    header, idat, position, ended = None, [], len(SIGNATURE), False
    while position + 8 <= len(png):
        length, kind = struct.unpack_from(">I4s", png, position)
        start, position = position + 8, position + 12 + length
        if position > len(png):
            return None  # truncated: WeasyPrint's decoder copes with what is there
        if kind == b"IHDR":
            header = png[start:start + length]
        elif kind == b"IDAT":
            idat.append(png[start:start + length])
        elif kind in (b"tRNS", b"PLTE"):
            return None  # transparency or a palette: the image needs converting
        elif kind == b"IEND":
            ended = True
            break
    if header is None or len(header) != 13 or not idat or not ended:
        return None
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or interlace or colour_type not in COLOUR_TYPES or not width or not height:
        return None
    mode, colours = COLOUR_TYPES[colour_type]
    return PngData(width, height, mode, colours, b"".join(idat))


def passing_png_through(original):
    """WeasyPrint's `RasterImage.get_x_object` (`original`), embedding an embeddable PNG without decoding it."""
    import pydyf

    def get_x_object(image, interpolate, dpi_ratio):
        found = embeddable(image.image_data.data) if image.format == "PNG" and dpi_ratio == 1 else None
        if found is None or (found.mode, found.width, found.height) != (image.mode, image.width, image.height):
            return original(image, interpolate, dpi_ratio)
        return pydyf.Stream([found.data], pydyf.Dictionary({
            "Type": "/XObject", "Subtype": "/Image", "Width": found.width, "Height": found.height,
            "ColorSpace": "/DeviceRGB" if found.colours == 3 else "/DeviceGray", "BitsPerComponent": 8,
            "Interpolate": "true" if interpolate else "false", "Filter": "/FlateDecode",
            "DecodeParms": pydyf.Dictionary({"Predictor": 15, "Columns": found.width, "Colors": found.colours}),
        }))

    get_x_object.passes_png_through = True
    return get_x_object
