//! URL slugs: only `[a-z0-9-]`, so a slug can never leave the output folder.

/// The longest slug made from text, in bytes.
const MAX_LEN: usize = 80;

/// The slug of `text`: å→a, ä→a, ö→o and every other letter transliterated,
/// lower case, runs of anything else turned into a single `-`.
/// Text with nothing transliterable (say, only emoji) gets a slug made of its
/// code points, so no tag or title is ever dropped.
pub(crate) fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    // A slug is a folder name: keep it well below file-system limits,
    // cutting at a word boundary.
    if slug.len() > MAX_LEN {
        let cut = slug[..MAX_LEN]
            .rfind('-')
            .filter(|&i| i > MAX_LEN / 2)
            .unwrap_or(MAX_LEN);
        slug.truncate(cut);
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        let codes: Vec<String> = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| format!("{:x}", c as u32))
            .collect();
        slug = format!("u{}", codes.join("-"));
    }
    slug
}

/// Whether `slug` is safe as one path segment: non-empty `[a-z0-9-]`.
pub(crate) fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The default slug of a post file: its name without `.md` and without a
/// leading `YYYY-MM-DD-` date, slugified.
pub(crate) fn from_file_stem(stem: &str) -> String {
    let bytes = stem.as_bytes();
    let dated = bytes.len() > 11
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && bytes[10] == b'-';
    slugify(if dated { &stem[11..] } else { stem })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_letters_are_transliterated() {
        assert_eq!(slugify("Lundens förskola"), "lundens-forskola");
        assert_eq!(slugify("Åsa och Ärlig Öl"), "asa-och-arlig-ol");
        assert_eq!(
            slugify("  Ledarskap över gränserna!  "),
            "ledarskap-over-granserna"
        );
        assert_eq!(slugify("Grüße, café"), "grusse-cafe");
    }

    #[test]
    fn nothing_is_dropped() {
        assert_eq!(slugify("🎉"), slugify("🎉"));
        assert!(is_valid(&slugify("🎉")));
        assert!(is_valid(&slugify("!!!")));
        assert_ne!(slugify("!!!"), slugify("???"));
    }

    #[test]
    fn long_text_is_cut_at_a_word_boundary() {
        let full = "langa-ord-i-rubriken-".repeat(20);
        let slug = slugify(&"Långa ord i rubriken ".repeat(20));
        assert!(slug.len() <= MAX_LEN && slug.len() > MAX_LEN / 2, "{slug}");
        assert!(
            full.starts_with(&format!("{slug}-")),
            "cut at a word boundary: {slug}"
        );
        assert_eq!(slugify(&"å".repeat(5000)).len(), MAX_LEN);
    }

    #[test]
    fn validity() {
        assert!(is_valid("lundens-forskola-2"));
        assert!(!is_valid("../etc"));
        assert!(!is_valid("Stor"));
        assert!(!is_valid(""));
    }

    #[test]
    fn file_stems() {
        assert_eq!(
            from_file_stem("2013-09-27-lundens-forskola"),
            "lundens-forskola"
        );
        assert_eq!(from_file_stem("vecka-39"), "vecka-39");
        assert_eq!(from_file_stem("2013-09-27"), "2013-09-27");
    }
}
