"""Encode one cleaned page image into ready-to-embed PDF image streams (G4, JPEG or mixed raster content)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image
from PIL.TiffImagePlugin import TiffImageFile

from dossier.models import ColourMode

# Chosen by measurement on synthetic noisy 300 dpi A4 pages: a full-page gray photo is 159/190/227/270 KB
# at q=60/65/70/75 with PSNR 43.3/43.6/43.8/44.0 dB (scanner noise dominates the error, so higher qualities
# mostly store noise); Tesseract reads a gray text page decoded at q=40..75 with the same confidence and text
# as the lossless image. q=65 keeps a photo page under 250 KB with no visible ringing at 100 % zoom.
DEFAULT_JPEG_QUALITY = 65
# The MRC background holds only paper, seals, signatures and photos at 1/3 resolution: smooth content that
# survives a lower quality well, and the text is kept sharp by the G4 mask anyway.
MRC_BACKGROUND_QUALITY = 60
MRC_SCALE = 3  # background resolution = page dpi / 3 (100 dpi for a 300 dpi scan)
MRC_DEFAULT = True  # measured: a seal page is several times smaller with MRC than as one JPEG, seals stay red
# A pixel belongs to the black text mask when it is darker than the page's Otsu threshold (capped) and nearly
# colourless: red seals and blue signatures stay in the colour background.
MASK_MAX_GRAY = 150
MASK_MAX_CHROMA = 60

CCITT = "/CCITTFaxDecode"
DCT = "/DCTDecode"
DEVICE_GRAY = "/DeviceGray"
DEVICE_RGB = "/DeviceRGB"


@dataclass(frozen=True)
class ImageLayer:
    """One PDF image XObject: the encoded stream plus the facts of its image dictionary.

    Every layer is painted stretched over the whole page, in the order given. A mask layer (`is_mask`) is a
    stencil /ImageMask painted in black where its decoded samples are 0 (black), transparent elsewhere.
    """

    data: bytes
    width: int
    height: int
    filter: str  # CCITT or DCT
    colour_space: str | None  # DEVICE_GRAY or DEVICE_RGB; None for a mask
    bits_per_component: int
    decode_parms: tuple[tuple[str, int | bool], ...] = ()
    is_mask: bool = False


@dataclass(frozen=True)
class EncodedImage:
    """A page image ready for the PDF writer: picklable, so worker processes can return it."""

    width: int  # full-resolution page size in pixels
    height: int
    dpi: float
    mode: ColourMode
    layers: tuple[ImageLayer, ...]

    @property
    def is_mrc(self) -> bool:
        return len(self.layers) > 1

    @property
    def nbytes(self) -> int:
        return sum(len(layer.data) for layer in self.layers)


def encode_page_image(
    image: np.ndarray,
    mode: ColourMode,
    dpi: float,
    jpeg_quality: int = DEFAULT_JPEG_QUALITY,
    *,
    mrc: bool = MRC_DEFAULT,
) -> EncodedImage:
    """Encode `image` (uint8; 2-D for bw/gray, 2-D or 3-D BGR for colour) for embedding as `mode`."""
    if image.dtype != np.uint8:
        raise ValueError(f"page image must be uint8, not {image.dtype}")
    if mode is ColourMode.auto:
        raise ValueError("encode_page_image needs a decided mode (bw, gray or colour), not auto")
    height, width = image.shape[:2]
    if mode is ColourMode.bw:
        layers: tuple[ImageLayer, ...] = (encode_g4(_to_gray(image) >= 128),)
    elif mode is ColourMode.gray:
        layers = (encode_jpeg(_to_gray(image), jpeg_quality),)
    else:
        rgb = _to_rgb(image)
        layers = encode_mrc(rgb, jpeg_quality) if mrc else (encode_jpeg(rgb, jpeg_quality),)
    return EncodedImage(width=width, height=height, dpi=dpi, mode=mode, layers=layers)


def encode_g4(white: np.ndarray, *, as_mask: bool = False) -> ImageLayer:
    """CCITT Group 4 of a boolean image (True = white paper), taken as the single strip of a G4 TIFF."""
    height, width = white.shape
    buf = io.BytesIO()
    # Rows per strip = height gives exactly one strip, so the strip is the whole G4 stream.
    Image.fromarray(white).convert("1").save(buf, "TIFF", compression="group4", tiffinfo={278: height})
    data = _single_tiff_strip(buf.getvalue())
    # Pillow writes PhotometricInterpretation=1 (BlackIsZero): the codec's "white" runs are 0 bits = black
    # pixels, which PDF expresses as /BlackIs1 true.
    parms: tuple[tuple[str, int | bool], ...] = (
        ("/K", -1),
        ("/Columns", width),
        ("/Rows", height),
        ("/BlackIs1", True),
    )
    return ImageLayer(
        data=data,
        width=width,
        height=height,
        filter=CCITT,
        colour_space=None if as_mask else DEVICE_GRAY,
        bits_per_component=1,
        decode_parms=parms,
        is_mask=as_mask,
    )


def encode_jpeg(pixels: np.ndarray, quality: int) -> ImageLayer:
    """Baseline JPEG of a gray (2-D) or RGB (3-D) array; colour uses 4:2:0 chroma subsampling."""
    height, width = pixels.shape[:2]
    buf = io.BytesIO()
    # 4:2:0 halves the chroma resolution: seals and signatures stay clearly coloured, the file ~25 % smaller.
    Image.fromarray(pixels).save(buf, "JPEG", quality=quality, optimize=True, subsampling=2)
    return ImageLayer(
        data=buf.getvalue(),
        width=width,
        height=height,
        filter=DCT,
        colour_space=DEVICE_GRAY if pixels.ndim == 2 else DEVICE_RGB,
        bits_per_component=8,
    )


def encode_mrc(rgb: np.ndarray, jpeg_quality: int = MRC_BACKGROUND_QUALITY) -> tuple[ImageLayer, ...]:
    """Mixed raster content: a low-resolution JPEG background without the text, then a full-resolution
    G4 stencil of the dark, colourless text painted in black over it."""
    text = text_mask(rgb)
    background = text_free_background(rgb, text, MRC_SCALE)
    quality = min(jpeg_quality, MRC_BACKGROUND_QUALITY)
    return (encode_jpeg(background, quality), encode_g4(~text, as_mask=True))


def text_mask(rgb: np.ndarray) -> np.ndarray:
    """True where a pixel is dark, nearly colourless ink (printed or black-pen text)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    red, green, blue = cv2.split(rgb)
    chroma = cv2.subtract(cv2.max(cv2.max(red, green), blue), cv2.min(cv2.min(red, green), blue))
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # the OpenCV stubs leave out the scalar form of src2 that compare() accepts
    dark = cv2.compare(gray, min(float(otsu), MASK_MAX_GRAY), cv2.CMP_LT)  # type: ignore[call-overload]
    colourless = cv2.compare(chroma, MASK_MAX_CHROMA, cv2.CMP_LT)  # type: ignore[call-overload]
    return cv2.bitwise_and(dark, colourless) > 0


def text_free_background(rgb: np.ndarray, text: np.ndarray, scale: int) -> np.ndarray:
    """Downscale `rgb` by `scale`, filling the text (and its anti-aliased rim) from the surrounding colour."""
    height, width = text.shape
    small_size = (max(1, round(width / scale)), max(1, round(height / scale)))
    rim = cv2.dilate(text.astype(np.uint8), np.ones((5, 5), np.uint8))
    # 255 where the pixel is paper, seal or signature (scalar src2: see text_mask)
    keep = cv2.compare(rim, 0, cv2.CMP_EQ)  # type: ignore[call-overload]
    kept = cv2.bitwise_and(rgb, rgb, mask=keep)
    # Area averages of the kept pixels only: sum(kept) / count(kept) per background cell.
    num = cv2.resize(kept, small_size, interpolation=cv2.INTER_AREA).astype(np.float32)
    den = cv2.resize(keep, small_size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    # Cells fully covered by text take the colour of a wider neighbourhood (normalised convolution).
    wide_num = cv2.GaussianBlur(num, (0, 0), sigmaX=4)
    wide_den = cv2.GaussianBlur(den, (0, 0), sigmaX=4)
    paper = np.full(3, 255, np.float32)
    wide = np.where(wide_den[:, :, None] > 1e-3, wide_num / np.maximum(wide_den, 1e-6)[:, :, None], paper)
    solid = den[:, :, None] > 0.25
    out = np.where(solid, num / np.maximum(den, 1e-6)[:, :, None], wide)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _to_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)  # OpenCV arrays are BGR


def _single_tiff_strip(tiff: bytes) -> bytes:
    with Image.open(io.BytesIO(tiff)) as img:
        assert isinstance(img, TiffImageFile)  # encode_g4 wrote it as a TIFF
        offsets = img.tag_v2[273]
        counts = img.tag_v2[279]
    if len(offsets) != 1:
        raise RuntimeError(f"expected one G4 strip, Pillow wrote {len(offsets)}")
    return tiff[offsets[0] : offsets[0] + counts[0]]
