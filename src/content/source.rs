//! Reading post files: the bytes, checked as UTF-8, without the characters
//! [`crate::clean`] removes (escapes and references are cleaned later, where
//! TOML and Markdown decode them).

use std::borrow::Cow;
use std::path::Path;

use crate::diag::Diagnostic;

/// Reads a post file. Unlike `fs::read`, which asks for the file's size
/// first, this reads into a buffer big enough for most posts until the end of
/// the file: one system call fewer per read, and every post is read twice.
pub(super) fn read_source(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(16 * 1024);
    // Through `Take`, `read_to_end` is the generic loop without the size query.
    std::fs::File::open(path)?
        .take(u64::MAX)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of a post file: UTF-8 (a BOM is accepted), without unfit characters.
pub(super) fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<Cow<'a, str>, Diagnostic> {
    // SIMD validation is several times faster on Swedish text than std's;
    // std runs only to locate an error.
    let text = simdutf8::basic::from_utf8(bytes).map_err(|_| {
        let valid = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), str::len);
        let line = crate::diag::line_in_bytes(bytes, valid);
        Diagnostic::at(path, line, "the file is not UTF-8; save it as UTF-8")
    })?;
    Ok(crate::clean::text(
        text.strip_prefix('\u{feff}').unwrap_or(text),
    ))
}
