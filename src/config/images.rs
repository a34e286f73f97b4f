//! `[images]`: how photos in post folders are resized and encoded.

use std::path::Path;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{self, Diagnostic};

/// `[images]`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Images {
    /// Widths in pixels of the resized copies, ascending; an image is never
    /// enlarged, so a copy wider than the original is left out. Default:
    /// 480, 960, 1600.
    pub widths: Vec<u32>,
    /// JPEG quality, 1–100. Default: 82.
    pub quality: u8,
    /// The most pixels (width × height) an image may have; larger ones are
    /// refused as decompression bombs. Default: 50 million (a 50 MP camera).
    pub max_pixels: u64,
    /// Where resized images are kept between builds, resolved against the
    /// config file's folder. Default: `.herald/cache/images`.
    pub cache: PathBuf,
}

/// `[images]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawImages {
    widths: Option<Spanned<Vec<u32>>>,
    quality: Option<Spanned<u8>>,
    max_pixels: Option<Spanned<u64>>,
    cache: Option<PathBuf>,
}

/// The narrowest and widest copy a site may ask for.
const WIDTHS: std::ops::RangeInclusive<u32> = 16..=8192;

/// Checks `[images]`, adding every problem (with its line in `text`) to `problems`.
pub(super) fn resolve(
    raw: RawImages,
    root: &Path,
    file: &Path,
    text: &str,
    problems: &mut Vec<Diagnostic>,
) -> Images {
    let mut report = |span: std::ops::Range<usize>, message: String| {
        problems.push(Diagnostic::at(
            file,
            diag::line_of(text, span.start),
            message,
        ));
    };
    let mut widths = raw
        .widths
        .as_ref()
        .map_or_else(|| vec![480, 960, 1600], |w| w.get_ref().clone());
    if let Some(w) = &raw.widths {
        if widths.is_empty() || widths.iter().any(|w| !WIDTHS.contains(w)) {
            report(
                w.span(),
                format!(
                    "images.widths must list widths from {} to {} pixels, e.g. [480, 960, 1600]",
                    WIDTHS.start(),
                    WIDTHS.end()
                ),
            );
        }
    }
    widths.sort_unstable();
    widths.dedup();
    let quality = raw.quality.as_ref().map_or(82, |q| *q.get_ref());
    if let Some(q) = raw
        .quality
        .as_ref()
        .filter(|_| !(1..=100).contains(&quality))
    {
        report(q.span(), "images.quality must be from 1 to 100".into());
    }
    let max_pixels = raw.max_pixels.as_ref().map_or(50_000_000, |m| *m.get_ref());
    if let Some(m) = raw.max_pixels.as_ref().filter(|_| max_pixels == 0) {
        report(m.span(), "images.max_pixels must be above 0".into());
    }
    Images {
        widths,
        quality,
        max_pixels,
        cache: root.join(raw.cache.unwrap_or_else(|| ".herald/cache/images".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> (Images, Vec<Diagnostic>) {
        let raw: RawImages = toml::from_str(toml_text).unwrap();
        let mut problems = Vec::new();
        let images = resolve(
            raw,
            Path::new("/site"),
            Path::new("config.toml"),
            toml_text,
            &mut problems,
        );
        (images, problems)
    }

    #[test]
    fn defaults_and_sorting() {
        let (images, problems) = parse("");
        assert!(problems.is_empty());
        assert_eq!(images.widths, [480, 960, 1600]);
        assert_eq!(images.cache, Path::new("/site/.herald/cache/images"));
        let (images, _) = parse("widths = [960, 320, 960]");
        assert_eq!(images.widths, [320, 960]);
    }

    #[test]
    fn bad_values_are_reported_with_their_line() {
        let (_, problems) = parse("widths = [0]\nquality = 101\nmax_pixels = 0\n");
        let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 3, "{lines:?}");
        assert!(lines[1].contains(":2"), "{lines:?}");
    }
}
