//! One image, bytes in, bytes out: decoded within limits, turned upright
//! (EXIF orientation), resized, and encoded again in its own format.
//!
//! No metadata block (EXIF with GPS and camera owner, XMP, IPTC, comments)
//! reaches the output. The resized copies are new pixels, encoded anew. The
//! full-size copy of an upright JPEG (no orientation to apply, as from most
//! cameras and every phone that turns the pixels itself) is the original
//! with its metadata segments cut out ([`super::strip`]): lossless, and a
//! copy instead of the most expensive encoding of a cold build. A JPEG
//! that must be turned, a PNG or a WebP is encoded anew, which removes
//! everything as well (turning a JPEG losslessly is possible only for
//! sizes in whole blocks, so it is not attempted).

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// How images are processed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings<'a> {
    /// Widths of the resized copies, ascending.
    pub widths: &'a [u32],
    /// JPEG quality.
    pub quality: u8,
    /// The most pixels an image may have.
    pub max_pixels: u64,
}

/// One encoded copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Encoded {
    /// The configured width it was made for; `None` for the full-size copy.
    pub target: Option<u32>,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// Why an image cannot be published.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Problem {
    #[error("it is not a JPEG, PNG or WebP image{}", looks_like(*.0))]
    Unsupported(Option<ImageFormat>),
    #[error("it is {width}×{height} pixels, more than images.max_pixels ({max}) allows")]
    TooLarge { width: u32, height: u32, max: u64 },
    #[error("it cannot be decoded (corrupt or cut short?): {0}")]
    Decode(#[source] image::ImageError),
    #[error("it cannot be encoded: {0}")]
    Encode(#[source] image::ImageError),
    #[error("it cannot be encoded as JPEG: {0}")]
    EncodeJpeg(#[source] jpeg_encoder::EncodingError),
}

/// Every copy of the image in `bytes`: one per configured width below its
/// own (never enlarged), then the full-size one.
pub(crate) fn process(bytes: &[u8], settings: Settings) -> Result<Vec<Encoded>, Problem> {
    let (image, format, upright) = decode(bytes, settings.max_pixels)?;
    let (width, height) = (image.width(), image.height());
    // Widest first, each copy resized from the one before (the first from
    // the original): a Lanczos pass costs in proportion to the pixels it
    // reads, so the narrow copies cost a fraction of reading the original
    // again. Images are processed in parallel with each other, one per core,
    // so the copies of one image are made one after the other: memory stays
    // at one image per core.
    let mut out = Vec::new();
    let mut wider: Option<DynamicImage> = None;
    for &w in settings.widths.iter().rev().filter(|&&w| w < width) {
        let h = (u64::from(height) * u64::from(w))
            .div_ceil(u64::from(width))
            .max(1) as u32;
        let resized = resize(wider.as_ref().unwrap_or(&image), w, h)?;
        out.push(encode(&resized, Some(w), format, settings.quality)?);
        wider = Some(resized);
    }
    drop(wider);
    out.reverse();
    let stripped = (format == ImageFormat::Jpeg && upright)
        .then(|| super::strip::strip(bytes))
        .flatten();
    out.push(match stripped {
        Some(bytes) => Encoded {
            target: None,
            width,
            height,
            bytes,
        },
        None => encode(&image, None, format, settings.quality)?,
    });
    Ok(out)
}

/// The upright pixels, 8 bits per channel, RGB or RGBA, and whether they
/// were upright as stored (no EXIF orientation to apply). Refuses anything
/// but JPEG, PNG and WebP, and images past `max_pixels`, before decoding.
fn decode(bytes: &[u8], max_pixels: u64) -> Result<(DynamicImage, ImageFormat, bool), Problem> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Problem::Decode(e.into()))?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        other => return Err(Problem::Unsupported(other)),
    };
    // The decoders check their allocations against this: 8 bytes a pixel
    // covers 16-bit RGBA, the widest a PNG decodes to.
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(Problem::Decode)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Problem::TooLarge {
            width,
            height,
            max: max_pixels,
        });
    }
    let orientation = decoder.orientation().map_err(Problem::Decode)?;
    let upright = orientation == image::metadata::Orientation::NoTransforms;
    let mut image = DynamicImage::from_decoder(decoder).map_err(Problem::Decode)?;
    image.apply_orientation(orientation);
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    Ok((image, format, upright))
}

/// ` (it looks like GIF)`, when the format is known.
fn looks_like(format: Option<ImageFormat>) -> String {
    format
        .and_then(|f| f.extensions_str().first())
        .map(|ext| format!(" (it looks like {})", ext.to_uppercase()))
        .unwrap_or_default()
}

fn resize(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, Problem> {
    let mut out = DynamicImage::new(width, height, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(image, &mut out, &options)
        .map_err(|e| {
            Problem::Encode(image::ImageError::Parameter(
                image::error::ParameterError::from_kind(image::error::ParameterErrorKind::Generic(
                    e.to_string(),
                )),
            ))
        })?;
    Ok(out)
}

fn encode(
    image: &DynamicImage,
    target: Option<u32>,
    format: ImageFormat,
    quality: u8,
) -> Result<Encoded, Problem> {
    let mut bytes = Vec::new();
    match format {
        ImageFormat::Jpeg => jpeg(image, quality, &mut bytes)?,
        ImageFormat::WebP => image
            .write_with_encoder(WebPEncoder::new_lossless(&mut bytes))
            .map_err(Problem::Encode)?,
        _ => image
            .write_with_encoder(PngEncoder::new(&mut bytes))
            .map_err(Problem::Encode)?,
    }
    Ok(Encoded {
        target,
        width: image.width(),
        height: image.height(),
        bytes,
    })
}

/// Encodes `image` as a JPEG of `quality` into `out`, with the
/// `jpeg-encoder` crate: its AVX2 colour conversion and DCT take a fraction
/// of the instructions of `image`'s own encoder, which was most of a cold
/// build's work.
fn jpeg(image: &DynamicImage, quality: u8, out: &mut Vec<u8>) -> Result<(), Problem> {
    // JPEG has no alpha channel; photos have none to lose.
    let rgb = image.to_rgb8();
    // A JPEG's sides are at most 65,535 pixels: the decoded one was no larger.
    let side = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    jpeg_encoder::Encoder::new(out, quality)
        .encode(
            &rgb,
            side(rgb.width()),
            side(rgb.height()),
            jpeg_encoder::ColorType::Rgb,
        )
        .map_err(Problem::EncodeJpeg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: Settings = Settings {
        widths: &[16, 32, 400],
        quality: 80,
        max_pixels: 1_000_000,
    };

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image =
            image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
        let mut bytes = Vec::new();
        DynamicImage::ImageRgb8(image)
            .write_with_encoder(PngEncoder::new(&mut bytes))
            .unwrap();
        bytes
    }

    #[test]
    fn copies_are_made_below_the_original_width_only() {
        let copies = process(&png(100, 50), SETTINGS).unwrap();
        let sizes: Vec<_> = copies
            .iter()
            .map(|c| (c.target, c.width, c.height))
            .collect();
        assert_eq!(
            sizes,
            [(Some(16), 16, 8), (Some(32), 32, 16), (None, 100, 50)]
        );
        let back = image::load_from_memory(&copies[1].bytes).unwrap();
        assert_eq!((back.width(), back.height()), (32, 16));
    }

    #[test]
    fn bombs_corrupt_and_foreign_files_are_refused() {
        assert!(matches!(
            process(&png(2000, 1000), SETTINGS),
            Err(Problem::TooLarge { width: 2000, .. })
        ));
        let cut = png(100, 50);
        assert!(matches!(
            process(&cut[..cut.len() / 2], SETTINGS),
            Err(Problem::Decode(_))
        ));
        assert!(matches!(
            process(b"%PDF-1.4\n", SETTINGS),
            Err(Problem::Unsupported(_))
        ));
        assert!(matches!(
            process(b"GIF89a....", SETTINGS),
            Err(Problem::Unsupported(Some(ImageFormat::Gif)))
        ));
    }
}
