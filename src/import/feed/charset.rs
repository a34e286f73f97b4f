//! A feed file's bytes as text, in whatever encoding it declares.
//!
//! Old feeds are often ISO-8859-1 or windows-1252 and say so in their XML
//! declaration; some are UTF-16, with or without a byte order mark. The
//! bytes are decoded with `encoding_rs` (which, like browsers, reads
//! ISO-8859-1 as windows-1252, so `0x92` is an apostrophe). A JSON Feed is
//! UTF-8, as JSON must be.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// The text of the feed `bytes`, or why it cannot be read (a message
/// without raw bytes, which may be NULs or half characters).
pub(super) fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(text) = utf32(bytes) {
        return text;
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return strict(encoding, &bytes[bom..]);
    }
    // UTF-16 without a byte order mark shows itself in the first `<?`.
    if bytes.starts_with(b"<\0?\0") {
        return strict(UTF_16LE, bytes);
    }
    if bytes.starts_with(b"\0<\0?") {
        return strict(UTF_16BE, bytes);
    }
    match declared(bytes) {
        Some(label) => match Encoding::for_label(label.as_bytes()) {
            // A UTF-16 label on bytes that are not UTF-16 (checked above) is
            // wrong; the bytes are read as the ASCII-compatible UTF-8.
            Some(encoding) if encoding == UTF_16LE || encoding == UTF_16BE => strict(UTF_8, bytes),
            Some(encoding) => strict(encoding, bytes),
            None => strict(UTF_8, bytes).map_err(|_| {
                format!(
                    "the XML declaration names the unknown encoding `{}`",
                    printable(&label)
                )
            }),
        },
        None => strict(UTF_8, bytes),
    }
}

/// UTF-32, which `encoding_rs` (made for the web) does not read, known by
/// its byte order mark or by the `<` of its first character.
fn utf32(bytes: &[u8]) -> Option<Result<String, String>> {
    let (big, skip) = match bytes {
        [0, 0, 0xfe, 0xff, ..] => (true, 4),
        [0xff, 0xfe, 0, 0, ..] => (false, 4),
        [0, 0, 0, b'<', ..] => (true, 0),
        [b'<', 0, 0, 0, ..] => (false, 0),
        _ => return None,
    };
    let units = bytes[skip..].chunks(4).map(|c| {
        let c: [u8; 4] = c.try_into().ok()?;
        char::from_u32(if big {
            u32::from_be_bytes(c)
        } else {
            u32::from_le_bytes(c)
        })
    });
    Some(units.collect::<Option<String>>().ok_or_else(|| {
        "the file is not valid UTF-32, the encoding its first bytes show".to_string()
    }))
}

/// `bytes` decoded, or an error naming the line of the first bad sequence.
fn strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, String> {
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text.into_owned()),
        None => {
            let (text, _) = encoding.decode_without_bom_handling(bytes);
            let line = text
                .split('\n')
                .position(|l| l.contains('\u{fffd}'))
                .map_or(1, |i| i + 1);
            Err(format!(
                "line {line} is not {}, the file's encoding; convert it first, e.g. `iconv -f windows-1252 -t utf-8`",
                encoding.name()
            ))
        }
    }
}

/// The `encoding` of the XML declaration, if the file starts with one.
fn declared(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let declaration = &head[head.find("<?xml")?..];
    let declaration = &declaration[..declaration.find("?>")?];
    let value = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let value = value.trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// `text` with control characters (NUL among them) shown as `?`, for
/// messages: a raw NUL is trouble for terminals and logs.
pub(super) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_single_byte_encodings_are_transcoded() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>V\xe4xj\xf6 it\x92s</t>";
        assert_eq!(
            decode(bytes).unwrap(),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>Växjö it’s</t>"
        );
        let bytes = b"<?xml version='1.0' encoding='windows-1252'?><t>\x93a\x94</t>";
        assert!(decode(bytes).unwrap().ends_with("<t>“a”</t>"));
    }

    #[test]
    fn utf16_with_and_without_a_byte_order_mark() {
        let text = "<?xml version=\"1.0\" encoding=\"utf-16\"?><t>ö</t>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le).unwrap(), text);
        assert_eq!(decode(&be).unwrap(), text);
        let with_bom = [&[0xff, 0xfe][..], &le].concat();
        assert_eq!(decode(&with_bom).unwrap(), text);
    }

    #[test]
    fn utf32_is_read_too() {
        let text = "<?xml version=\"1.0\"?><t>ö</t>";
        let be: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        let le: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        assert_eq!(decode(&be).unwrap(), text);
        assert_eq!(
            decode(&[&[0xff, 0xfe, 0, 0][..], &le].concat()).unwrap(),
            text
        );
        assert!(!decode(&[0, 0, 0, b'<', 0xff]).unwrap_err().contains('\0'));
    }

    #[test]
    fn undeclared_bytes_that_are_not_utf8_are_refused_by_line() {
        let err = decode(b"<rss>\n<t>V\xe4xj\xf6</t>").unwrap_err();
        assert!(err.starts_with("line 2 is not UTF-8"), "{err}");
        let err = decode(b"<?xml version=\"1.0\" encoding=\"x-\0bogus\"?>\n\xff").unwrap_err();
        assert!(err.contains("`x-?bogus`") && !err.contains('\0'), "{err}");
    }
}
