"""Photos rebuilt from their pixels alone: JPEG, PNG and HEIC (which becomes JPEG)."""

import io
import struct
import warnings

import pillow_heif
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, UnidentifiedImageError

from evidence.content.kinds import JPEG, PNG, Cleaned, Refused, Sniffed, _format_lazy

# Thumbnails, depth maps and auxiliary images are never part of the working
# copy: don't parse them.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

JPEG_QUALITY = 92

_PILLOW_FORMATS = {"image/jpeg": ["JPEG"], "image/png": ["PNG"], "image/heic": ["HEIF"]}


def _clean_image(sniffed: Sniffed, data: bytes, max_pixels: int) -> Cleaned:
    image = _open_image(data, _PILLOW_FORMATS[sniffed.mime], max_pixels)
    _load(image)
    image = _upright(image)
    if sniffed.mime == "image/png":
        return Cleaned(_encode(_for_png(image), "PNG"), PNG.mime, PNG.extension)
    # HEIC becomes JPEG too: browsers cannot show HEIC.
    return Cleaned(
        _encode(_flatten(image), "JPEG", quality=JPEG_QUALITY), JPEG.mime, JPEG.extension
    )


def _open_image(data: bytes, formats: list[str], max_pixels: int | None) -> Image.Image:
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Set by someone else in this process, it would pad a truncated
        # photo with grey and keep it as if it were whole: every image is
        # refused instead, until it is unset.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False.")
    bomb = _bomb_refused(max_pixels or Image.MAX_IMAGE_PIXELS)
    try:
        # Pillow warns (and over twice its limit raises) when it reads the
        # size, before any pixel is decoded: make the warning an error too.
        # catch_warnings is process-wide: a thread opening an image at the
        # same moment may see the error too, and refuse a bomb itself.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # formats=: a file sniffed as PNG is parsed as PNG or not at all.
            image = Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise bomb from None
    # pillow_heif reports a file libheif cannot parse as a RuntimeError.
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, RuntimeError):
        raise Refused(
            "unreadable",
            _(
                "This image cannot be opened. Try again; if it still fails, attach a "
                "screenshot of it instead."
            ),
        ) from None
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        raise bomb
    return image


def _bomb_refused(max_pixels: int | None) -> Refused:
    return Refused(
        "bomb",
        _format_lazy(
            _(
                "This image is too large to open safely (%(pixels)s megapixels at most). "
                "Attach a smaller copy or a screenshot of it."
            ),
            {"pixels": max(1, (max_pixels or 0) // 1_000_000)},
        ),
    )


def _load(image: Image.Image) -> None:
    try:
        image.load()
    # libheif refuses undecodable or oversized data with a RuntimeError.
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError):
        raise Refused(
            "truncated",
            _(
                "This image is damaged or was not uploaded completely. Try again; if it "
                "still fails, attach a screenshot of it instead."
            ),
        ) from None


# EXIF orientation -> the turn that shows the photo as it was taken, as in
# ImageOps.exif_transpose. That function also rewrites the EXIF block it
# reads, which fails on damaged EXIF; the block is dropped here anyway.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION = 0x0112


def _upright(image: Image.Image) -> Image.Image:
    try:
        orientation = image.getexif().get(_ORIENTATION)
    except (SyntaxError, ValueError, OSError, KeyError, TypeError, struct.error):
        # Damaged EXIF: the orientation is unknown, and the photo is kept as
        # stored, perhaps sideways, rather than refused.
        return image
    turn = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image if turn is None else image.transpose(turn)


def _for_png(image: Image.Image) -> Image.Image:
    """Return the image in a mode PNG stores, its transparency kept."""
    if "transparency" in image.info or image.mode == "PA":
        # A palette or a transparent colour lives in .info, which is dropped.
        return image.convert("RGBA")
    if image.mode in ("RGB", "RGBA", "L", "LA", "I;16"):
        return image.copy()
    return image.convert("L" if image.mode == "1" else "RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """Return the image in a mode JPEG stores, transparency laid over white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("RGB", "L"):
        return image.copy()
    return image.convert("RGB")


def _encode(image: Image.Image, format: str, **params) -> bytes:
    # Pillow copies a comment, an ICC profile or the transparency from
    # .info into what it saves: only the pixels go out.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=format, **params)
    return out.getvalue()
