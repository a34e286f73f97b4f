//! Problems found in the user's files, reported as `path:line: message`.
//!
//! Validation collects every problem it can find before giving up, so a single
//! run of `herald check` lists all of them at once.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one file, with the 1-based line where it was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as the user named it (relative to the working folder when possible).
    pub path: PathBuf,
    /// 1-based line number, when the problem has a place in the file.
    pub line: Option<usize>,
    /// 1-based column on that line, where one is known (templates).
    pub column: Option<usize>,
    /// What is wrong and, where it helps, how to fix it.
    pub message: String,
}

impl Diagnostic {
    /// A problem at `line` of `path`.
    pub fn at(path: &Path, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line: Some(line),
            column: None,
            message: message.into(),
        }
    }

    /// A problem at `line`, `column` of `path`.
    pub fn at_column(path: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            column: Some(column),
            ..Diagnostic::at(path, line, message)
        }
    }

    /// A problem with the file as a whole.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let (Some(_), Some(column)) = (self.line, self.column) {
            write!(f, ":{column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// 1-based line number of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    line_in_bytes(text.as_bytes(), offset)
}

/// 1-based line number of byte `offset` in `bytes`, which need not be text
/// (the line of the first byte that is not UTF-8, say).
pub(crate) fn line_in_bytes(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count()
}

/// Turns a TOML error into a diagnostic; `first_line` is the file line where
/// `text` starts (front matter starts below its `+++`).
pub(crate) fn from_toml(
    path: &Path,
    text: &str,
    first_line: usize,
    err: &toml::de::Error,
) -> Diagnostic {
    let line = err
        .span()
        .map(|span| line_of(text, span.start) + first_line - 1)
        .unwrap_or(first_line);
    Diagnostic::at(path, line, err.message().trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn display_names_file_and_line() {
        let d = Diagnostic::at(Path::new("posts/a.md"), 3, "missing title");
        assert_eq!(d.to_string(), "posts/a.md:3: missing title");
        let d = Diagnostic::file(Path::new("posts/b.md"), "not UTF-8");
        assert_eq!(d.to_string(), "posts/b.md: not UTF-8");
        let d = Diagnostic::at_column(Path::new("templates/post.hbs"), 2, 5, "unknown variable");
        assert_eq!(d.to_string(), "templates/post.hbs:2:5: unknown variable");
    }
}
