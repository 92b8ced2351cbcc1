"""PNG figures in the PDF: an 8-bit grey or RGB PNG's image data goes into the PDF as it is (png.py); every
other PNG takes WeasyPrint's decoding way. Either way the printed pixels are the file's."""
from __future__ import annotations

import io
import struct
import zlib

import pikepdf
import pytest
from PIL import Image

from exporter.diagnostics import Reporter
from exporter.exporters.pdf.png import embeddable
from exporter.exporters.pdf.weasy import write_pdf


def _png(mode: str, **save) -> bytes:
    image = Image.new(mode, (37, 23))
    image.putdata([(x * 7 + y * 3) % 256 if mode in ("L", "P", "I;16") else
                   ((x * 7) % 256, (y * 11) % 256, (x * y) % 256) + ((128,) if mode == "RGBA" else ())
                   for y in range(23) for x in range(37)])
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def _idat(png: bytes) -> bytes:
    position, found = 8, []
    while position < len(png):
        length, kind = struct.unpack_from(">I4s", png, position)
        if kind == b"IDAT":
            found.append(png[position + 8:position + 8 + length])
        position += 12 + length
    return b"".join(found)


def _interlaced(png: bytes) -> bytes:
    """The same file with IHDR's interlace byte set (the data no longer matches it: the parser must refuse
    on the header alone)."""
    header = bytearray(png[16:29])
    header[12] = 1
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return png[:16] + bytes(header) + crc + png[33:]


def test_only_plain_8_bit_grey_and_rgb_pngs_are_embeddable():
    assert embeddable(_png("RGB")).mode == "RGB" and embeddable(_png("L")).colours == 1
    assert embeddable(_png("RGB")).data == _idat(_png("RGB"))
    refused = {"palette": _png("P"), "alpha": _png("RGBA"), "transparency": _png("L", transparency=0),
               "16-bit": _png("I;16"), "interlaced": _interlaced(_png("RGB")), "truncated": _png("RGB")[:-20],
               "not a PNG": b"GIF89a" + _png("RGB")[6:]}
    assert {name: embeddable(data) for name, data in refused.items()} == dict.fromkeys(refused)


@pytest.mark.parametrize("mode", ["RGB", "L", "P", "RGBA"])
def test_printed_pixels_are_the_files(mode):
    # compress_level 1: WeasyPrint's own way compresses again at its default level, so equal bytes prove
    # that the file's data went in untouched
    png = _png(mode, compress_level=1)
    pdf = write_pdf('<html><body><img src="f.png" style="width: 74px"></body></html>', {"f.png": png},
                    Reporter(), None)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        (image,) = [pikepdf.PdfImage(x) for x in document.pages[0].get_images().values()]
        printed = image.as_pil_image()
        raw = image.obj.read_raw_bytes()
    expected = Image.open(io.BytesIO(png)).convert({"P": "RGB"}.get(mode, mode))  # pikepdf joins the alpha mask
    assert (printed.mode, printed.size, printed.tobytes()) == (expected.mode, expected.size, expected.tobytes())
    assert (raw == _idat(png)) is (mode in ("RGB", "L"))
