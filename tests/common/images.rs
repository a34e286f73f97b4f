//! Test images made here: a JPEG carrying EXIF (orientation, GPS position,
//! camera owner), a PNG and a tiny PDF, all drawn by the tests themselves.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};

/// A `width`×`height` picture with a gradient, so resizing has work to do.
fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 120])
    }))
}

/// The test picture of `width`×`height`, encoded as `format`.
fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture(width, height).write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A PNG of `width`×`height`.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, ImageFormat::Png)
}

/// A WebP of `width`×`height` (lossless, the one WebP encoder `image` has).
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, ImageFormat::WebP)
}

/// A JPEG stored `width`×`height` with an EXIF block right after its start:
/// orientation 6 (turn 90° clockwise to show it), the camera owner and a
/// GPS latitude, as a phone writes them.
pub fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    jpeg_with_exif_oriented(width, height, 6)
}

/// [`jpeg_with_exif`] with EXIF orientation `orientation` (1: upright).
pub fn jpeg_with_exif_oriented(width: u32, height: u32, orientation: u8) -> Vec<u8> {
    let plain = encoded(width, height, ImageFormat::Jpeg);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend(app1_exif(orientation));
    out.extend(&plain[2..]);
    out
}

/// An APP1 segment with a big-endian TIFF structure: IFD0 holding
/// Orientation, Artist and a pointer to a GPS IFD holding GPSLatitudeRef.
fn app1_exif(orientation: u8) -> Vec<u8> {
    let artist = b"Anna Andersson\0";
    // IFD0 at 8: 3 entries (2 + 36 + 4 = 42 bytes), so the GPS IFD is at 50
    // (2 + 12 + 4 = 18 bytes), then the artist text at 68.
    let (gps_at, artist_at) = (50u32, 68u32);
    let mut tiff = b"MM\0\x2a".to_vec();
    tiff.extend(8u32.to_be_bytes());
    tiff.extend(3u16.to_be_bytes());
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend(tag.to_be_bytes());
        tiff.extend(kind.to_be_bytes());
        tiff.extend(count.to_be_bytes());
        tiff.extend(value);
    };
    entry(&mut tiff, 0x0112, 3, 1, [0, orientation, 0, 0]); // Orientation
    entry(
        &mut tiff,
        0x013b,
        2,
        artist.len() as u32,
        artist_at.to_be_bytes(),
    ); // Artist
    entry(&mut tiff, 0x8825, 4, 1, gps_at.to_be_bytes()); // GPS IFD pointer
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len(), gps_at as usize);
    tiff.extend(1u16.to_be_bytes());
    entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0"); // GPSLatitudeRef = N
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len(), artist_at as usize);
    tiff.extend(artist);
    let mut segment = vec![0xff, 0xe1];
    segment.extend(((tiff.len() + 8) as u16).to_be_bytes());
    segment.extend(b"Exif\0\0");
    segment.extend(tiff);
    segment
}

/// The EXIF fields an independent reader (kamadak-exif) finds in `bytes`.
pub fn exif_fields(bytes: &[u8]) -> Vec<String> {
    match exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) {
        Ok(found) => found.fields().map(|f| f.tag.to_string()).collect(),
        Err(exif::Error::NotFound(_)) => Vec::new(),
        Err(e) => panic!("the EXIF reader fails: {e}"),
    }
}

/// Width and height as an independent decoder reads them.
pub fn size(bytes: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory(bytes).unwrap();
    (image.width(), image.height())
}

/// A one-page PDF of a few hundred bytes.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}

/// A PNG of a few dozen bytes whose header claims 100,000 × 100,000 pixels:
/// decoding it would need 30 GB (a decompression bomb).
pub fn bomb_png() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    out.extend(crc32(&out[start..]).to_be_bytes());
}

/// CRC-32 (ISO 3309) as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
