//! A JPEG's metadata removed without decoding it: the segments are copied
//! as they are, except those that carry metadata, so the published photo is
//! the photographer's own pixels, bit for bit, and costs a copy instead of
//! an encoding of every pixel (most of the work of a cold build).
//!
//! Kept: the frame, tables and scans, restart markers, and Adobe's APP14
//! (it tells decoders whether the pixels are YCbCr, RGB or CMYK). Dropped:
//! every other application segment (APP0 JFIF with its optional thumbnail,
//! APP1 EXIF and XMP, APP2 ICC profile and MPF, APP13 IPTC …), comments,
//! and anything after the end of the image (some phones append a second
//! picture there). This is the JPEG file structure (ITU T.81, annex B), not
//! a codec: no pixel is read.

/// Start and end of image; start of scan.
const SOI: u8 = 0xd8;
const EOI: u8 = 0xd9;
const SOS: u8 = 0xda;
/// Adobe's application segment, kept (see the module's comment).
const APP14: u8 = 0xee;
/// A comment.
const COM: u8 = 0xfe;

/// `jpeg` without its metadata segments, or `None` when its structure is
/// not one this reads to the end (the caller then encodes the pixels anew,
/// which removes everything too).
pub(super) fn strip(jpeg: &[u8]) -> Option<Vec<u8>> {
    if jpeg.get(..2)? != [0xff, SOI] {
        return None;
    }
    let mut out = Vec::with_capacity(jpeg.len());
    out.extend_from_slice(&jpeg[..2]);
    let mut at = 2;
    loop {
        // A marker is 0xFF and a code; more 0xFF bytes before it are fill.
        if *jpeg.get(at)? != 0xff {
            return None;
        }
        while *jpeg.get(at + 1)? == 0xff {
            at += 1;
        }
        let marker = jpeg[at + 1];
        if marker == EOI {
            out.extend_from_slice(&[0xff, EOI]);
            return Some(out);
        }
        if standalone(marker) {
            out.extend_from_slice(&[0xff, marker]);
            at += 2;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]));
        let end = at + 2 + length;
        if length < 2 || end > jpeg.len() {
            return None;
        }
        if !is_metadata(marker) {
            out.extend_from_slice(&jpeg[at..end]);
        }
        at = end;
        if marker == SOS {
            let data = scan_end(jpeg, at)?;
            out.extend_from_slice(&jpeg[at..data]);
            at = data;
        }
    }
}

/// Markers without a length: TEM and the restart markers.
fn standalone(marker: u8) -> bool {
    marker == 0x01 || (0xd0..=0xd7).contains(&marker)
}

/// Application segments but Adobe's, and comments.
fn is_metadata(marker: u8) -> bool {
    ((0xe0..=0xef).contains(&marker) && marker != APP14) || marker == COM
}

/// Where the entropy-coded data starting at `from` ends: at the first
/// marker that is neither a stuffed 0xFF (`FF 00`) nor a restart marker.
fn scan_end(jpeg: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at += jpeg.get(at..)?.iter().position(|&b| b == 0xff)?;
        match *jpeg.get(at + 1)? {
            // A stuffed 0xFF in the data, or a restart marker.
            0 | 0xd0..=0xd7 => at += 2,
            // Fill before a marker.
            0xff => at += 1,
            _ => return Some(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A segment with `marker` and `body`.
    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![0xff, marker];
        out.extend(((body.len() + 2) as u16).to_be_bytes());
        out.extend(body);
        out
    }

    #[test]
    fn metadata_segments_and_trailing_bytes_go_the_rest_stays() {
        let keep = [
            segment(0xdb, b"quant"),
            segment(0xc0, b"frame"),
            segment(APP14, b"Adobe"),
        ]
        .concat();
        let scan = [
            segment(SOS, b"sos"),
            b"\x12\xff\x00\x34\xff\xd0\x56".to_vec(),
        ]
        .concat();
        let jpeg = [
            vec![0xff, SOI],
            segment(0xe0, b"JFIF\0"),
            segment(0xe1, b"Exif\0\0GPS"),
            keep.clone(),
            segment(COM, b"camera owner"),
            scan.clone(),
            segment(0xe2, b"ICC_PROFILE"),
            scan.clone(),
            vec![0xff, EOI],
            b"second picture".to_vec(),
        ]
        .concat();
        let expected = [vec![0xff, SOI], keep, scan.clone(), scan, vec![0xff, EOI]].concat();
        assert_eq!(strip(&jpeg), Some(expected));
    }

    #[test]
    fn what_is_not_read_to_the_end_is_refused() {
        let whole = [
            vec![0xff, SOI],
            segment(0xc0, b"frame"),
            segment(SOS, b"sos"),
            vec![1, 2, 3, 0xff, EOI],
        ]
        .concat();
        assert!(strip(&whole).is_some());
        for cut in [1, 5, whole.len() - 1] {
            assert_eq!(strip(&whole[..cut]), None, "cut at {cut}");
        }
        assert_eq!(strip(b"\x89PNG\r\n"), None);
    }
}
