//! Where config problems go, and how they find their line: the leaf every
//! table's module reports through, so that no table depends on another.

use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::path::Path;

use toml::Spanned;

use crate::diag::{self, Diagnostic};

/// Where problems go: the file, its text, and the list.
pub(super) struct Checker<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    pub problems: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Reports `message` at the line where `value` is written.
    pub(super) fn at<T>(&mut self, value: &Spanned<T>, message: impl Into<String>) {
        let line = diag::line_of(self.text, value.span().start);
        self.at_line(line, message);
    }

    /// Reports `message` at the line of `key = ...` (see [`find_key_line`]).
    pub(super) fn at_key(&mut self, key: &str, message: impl Into<String>) {
        let line = find_key_line(self.text, key);
        self.at_line(line, message);
    }

    /// Reports `message` at the line of `key = ...` in `table` (a table
    /// deserialised whole, whose keys have no spans of their own).
    pub(super) fn at_key_in<T>(
        &mut self,
        table: &Spanned<T>,
        key: &str,
        message: impl Into<String>,
    ) {
        let start = table.span().start.min(self.text.len());
        let before = diag::line_of(self.text, start) - 1;
        let line = before + find_key_line(&self.text[start..], key);
        self.at_line(line, message);
    }

    fn at_line(&mut self, line: usize, message: impl Into<String>) {
        self.problems
            .push(Diagnostic::at(self.file, line, message.into()));
    }

    /// The value of an optional number (`default` when absent), reporting
    /// `message` at its line when it lies outside `range`.
    pub(super) fn in_range<T: Copy + PartialOrd>(
        &mut self,
        value: &Option<Spanned<T>>,
        default: T,
        range: RangeInclusive<T>,
        message: &str,
    ) -> T {
        match value {
            Some(v) if !range.contains(v.get_ref()) => {
                self.at(v, message);
                *v.get_ref()
            }
            Some(v) => *v.get_ref(),
            None => default,
        }
    }
}

/// Best-effort line of `key = ...`, for values serde has accepted without a
/// span (the key itself, so `logo` does not find `logo_alt = ...`).
pub(super) fn find_key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

/// Whether `host` is a loopback address literal (`127.x.x.x`, `::1`): traffic
/// to it never leaves the machine, the one place credentials may go without TLS.
pub fn is_loopback(host: &str) -> bool {
    host.trim_matches(['[', ']'])
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_literals_count_as_local() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("[::1]"));
        assert!(!is_loopback("localhost"), "a name can resolve anywhere");
        assert!(!is_loopback("10.0.0.1"));
        assert!(!is_loopback("smtp.office365.com"));
    }

    #[test]
    fn a_key_is_found_on_its_own_line() {
        let text = "[digest]\nfrom = \"a\"\nsubject = \"x\"\n";
        assert_eq!(find_key_line(text, "subject"), 3);
        assert_eq!(find_key_line(text, "absent"), 1);
        let text = "[site]\nlogo_alt = \"Kommunen\"\nlogo = \"logo.svg\"\n";
        assert_eq!(find_key_line(text, "logo"), 3);
    }
}
