//! `[site] accent`: a colour written as hex, and its contrast per WCAG 2.1.
//!
//! The formula is WCAG's own (relative luminance of sRGB, then
//! `(L1 + 0.05) / (L2 + 0.05)`): a dozen lines, so no crate for it.

use std::fmt;

/// The least contrast WCAG 2.1 AA asks of normal text (1.4.3).
pub(crate) const AA_TEXT: f64 = 4.5;

/// White: the default theme's page in light mode and the text on the accent
/// band in both modes, so the one background the accent must stand out from.
pub(crate) const WHITE: Colour = Colour([255, 255, 255]);

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour([u8; 3]);

impl Colour {
    /// Reads `#rrggbb` or `#rgb` (either case).
    pub(crate) fn parse(text: &str) -> Result<Colour, String> {
        let hint = || format!("`{text}` is not a colour written as `#rrggbb` (such as `#0b4f8a`)");
        let hex = text.strip_prefix('#').ok_or_else(hint)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(hint());
        }
        let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).expect("checked as hex");
        let channel = |i: usize| digit(i) * 16 + digit(i + 1);
        match hex.len() {
            6 => Ok(Colour([channel(0), channel(2), channel(4)])),
            3 => Ok(Colour([digit(0) * 17, digit(1) * 17, digit(2) * 17])),
            _ => Err(hint()),
        }
    }

    /// WCAG's relative luminance: 0 for black, 1 for white.
    fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0.map(linear);
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// The contrast ratio of the two colours, from 1 (none) to 21.
    pub(crate) fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// Written as `#rrggbb`, lower case: the form pages use.
impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colour(text: &str) -> Colour {
        Colour::parse(text).unwrap()
    }

    #[test]
    fn contrast_matches_wcag_examples() {
        let black = colour("#000");
        assert!((black.contrast(WHITE) - 21.0).abs() < 1e-9);
        assert!((WHITE.contrast(WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the well-known lightest grey that passes AA (4.54:1).
        let grey = colour("#767676").contrast(WHITE);
        assert!((4.53..4.55).contains(&grey), "{grey}");
        assert!(colour("#777777").contrast(WHITE) < AA_TEXT);
        assert_eq!(
            colour("#0b4f8a").contrast(WHITE),
            WHITE.contrast(colour("#0B4F8A"))
        );
    }

    #[test]
    fn hex_forms_are_read_and_written_in_one_form() {
        assert_eq!(colour("#0B4F8A").to_string(), "#0b4f8a");
        assert_eq!(colour("#abc").to_string(), "#aabbcc");
        for bad in ["0b4f8a", "#0b4f8", "#0b4f8g", "blue", "#", "#ééé"] {
            assert!(Colour::parse(bad).is_err(), "{bad}");
        }
    }
}
