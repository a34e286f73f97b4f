//! End-to-end: a post folder with a photo (EXIF orientation, GPS, owner), a
//! PNG and a PDF is published with resized copies, no metadata, `srcset`,
//! attachment sizes, absolute single-width images in the feeds, and a cache
//! that makes the second build re-encode nothing.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::images::{exif_fields, jpeg_with_exif, jpeg_with_exif_oriented, pdf, png, size, webp};
use common::{ok, tree, Site};

const BODY: &str = "Lundens förskola har öppnat.\n\n![Barnen i sandlådan](foto.jpg)\n\n\
                    ![Kommunens logga](logga.png)\n\n[Protokoll](protokoll.pdf) och [förra \
                    veckan](../2013-09-20-forra.md).\n";

/// The sources index in the cache folder.
const SOURCES: &str = "sources.json";

fn site() -> Site {
    let site = Site::new("[images]\nwidths = [100, 160]\n");
    site.post(
        "2013-09-20-forra.md",
        "title = \"Förra\"\ndate = \"2013-09-20\"",
        "Text.\n",
    );
    site.bundle(
        "2013-09-27-lunden",
        "title = \"Lunden\"\ndate = \"2013-09-27\"",
        BODY,
        &[
            ("foto.jpg", &jpeg_with_exif(300, 200)),
            ("logga.png", &png(120, 60)),
            ("protokoll.pdf", &pdf()),
        ],
    );
    site
}

/// The cache entries' files and when each was written (without the sources
/// index, which every build writes).
fn cache_files(site: &Site) -> BTreeMap<String, std::time::SystemTime> {
    let dir = site.path().join(".herald/cache/images");
    tree(&dir)
        .into_keys()
        .filter(|name| name != SOURCES)
        .map(|name| {
            let modified = std::fs::metadata(dir.join(&name))
                .unwrap()
                .modified()
                .unwrap();
            (name, modified)
        })
        .collect()
}

#[test]
fn the_test_jpeg_carries_what_a_phone_writes() {
    let fields = exif_fields(&jpeg_with_exif(30, 20));
    for tag in ["Orientation", "Artist", "GPSLatitudeRef"] {
        assert!(fields.iter().any(|f| f == tag), "{tag} missing: {fields:?}");
    }
}

#[test]
fn photos_are_turned_resized_and_stripped() {
    let site = site();
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    common::assert_well_formed_site(&files);
    let dir = "lunden/";
    // Orientation 6: stored 300×200, shown 200×300; 100 and 160 wide copies.
    for (name, expected) in [
        ("foto.jpg", (200, 300)),
        ("foto-100.jpg", (100, 150)),
        ("foto-160.jpg", (160, 240)),
        ("logga.png", (120, 60)),
        ("logga-100.png", (100, 50)),
    ] {
        let bytes = &files[&format!("{dir}{name}")];
        assert_eq!(size(bytes), expected, "{name}");
        assert_eq!(
            exif_fields(bytes),
            Vec::<String>::new(),
            "{name} keeps metadata"
        );
    }
    assert!(
        !files.contains_key("lunden/logga-160.png"),
        "never enlarged"
    );
    assert_eq!(files["lunden/protokoll.pdf"], pdf());

    let page = common::well_formed_html("page", &files["lunden/index.html"]);
    let img = scraper::Selector::parse("img[alt=\"Barnen i sandlådan\"]").unwrap();
    let img = page
        .select(&img)
        .next()
        .expect("the photo is on the page")
        .value();
    assert_eq!(img.attr("src"), Some("foto-160.jpg"));
    assert_eq!(
        img.attr("srcset"),
        Some("foto-100.jpg 100w, foto-160.jpg 160w, foto.jpg 200w")
    );
    assert_eq!(
        (img.attr("width"), img.attr("height")),
        (Some("160"), Some("240"))
    );
    assert_eq!(img.attr("loading"), Some("lazy"));
    assert_eq!(img.attr("decoding"), Some("async"));
    assert!(img.attr("sizes").is_some());
    let text = String::from_utf8_lossy(&files["lunden/index.html"]);
    let attachment = format!("Protokoll</a> (PDF, {} B)", pdf().len());
    assert!(text.contains(&attachment), "{text}");
    assert!(
        text.contains("href=\"https://example.se/blogg/forra/\""),
        "{text}"
    );

    // Feeds: one absolute src of the middle width, no srcset.
    let rss = String::from_utf8_lossy(&files["feed.xml"]).into_owned();
    assert!(
        rss.contains("src=\"https://example.se/blogg/lunden/foto-160.jpg\""),
        "{rss}"
    );
    assert!(!rss.contains("srcset"), "{rss}");
    assert_lead_image(&files, "https://example.se/blogg/lunden/foto-160.jpg");
}

/// An upright JPEG's full-size copy is the original without its metadata
/// segments, not encoded anew: the same pixels, decoded.
#[test]
fn an_upright_jpeg_is_published_losslessly_without_metadata() {
    let site = Site::new("[images]\nwidths = [100]\n");
    let original = jpeg_with_exif_oriented(300, 200, 1);
    assert!(exif_fields(&original).iter().any(|f| f == "GPSLatitudeRef"));
    site.bundle(
        "2013-09-27-lunden",
        "title = \"Lunden\"\ndate = \"2013-09-27\"",
        "![Skolgården](gard.jpg)\n",
        &[("gard.jpg", &original)],
    );
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    let published = &files["lunden/gard.jpg"];
    assert_eq!(exif_fields(published), Vec::<String>::new());
    assert!(published.len() < original.len());
    let pixels = |bytes: &[u8]| image::load_from_memory(bytes).unwrap().to_rgb8();
    assert!(pixels(published) == pixels(&original), "pixels changed");
    assert_eq!(size(&files["lunden/gard-100.jpg"]), (100, 67));
}

#[test]
fn a_webp_photo_is_resized_as_webp() {
    let site = Site::new("[images]\nwidths = [100, 160]\n");
    site.bundle(
        "2013-09-27-lunden",
        "title = \"Lunden\"\ndate = \"2013-09-27\"",
        "![Skolgården](gard.webp)\n",
        &[("gard.webp", &webp(300, 200))],
    );
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    for (name, expected) in [
        ("gard.webp", (300, 200)),
        ("gard-100.webp", (100, 67)),
        ("gard-160.webp", (160, 107)),
    ] {
        let bytes = &files[&format!("lunden/{name}")];
        assert_eq!(
            image::guess_format(bytes).unwrap(),
            image::ImageFormat::WebP,
            "{name}"
        );
        assert_eq!(size(bytes), expected, "{name}");
    }
    let page = common::well_formed_html("page", &files["lunden/index.html"]);
    let img = scraper::Selector::parse("img[alt=\"Skolgården\"]").unwrap();
    let img = page.select(&img).next().expect("the photo is on the page");
    assert_eq!(
        img.value().attr("srcset"),
        Some("gard-100.webp 100w, gard-160.webp 160w, gard.webp 300w")
    );
}

const MEDIA: &str = "http://search.yahoo.com/mrss/";

/// The lead image `src` is on the index page, in JSON Feed `image` and in
/// RSS and Atom as Media RSS content (with size) and thumbnail.
fn assert_lead_image(files: &BTreeMap<String, Vec<u8>>, src: &str) {
    let index = common::well_formed_html("index", &files["index.html"]);
    let lead = scraper::Selector::parse("article img.lead").unwrap();
    let lead = index
        .select(&lead)
        .next()
        .expect("a lead image on the index")
        .value();
    assert_eq!(lead.attr("src"), Some(src));
    let json: serde_json::Value = serde_json::from_slice(&files["feed.json"]).unwrap();
    let images: Vec<_> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["image"].as_str())
        .collect();
    assert_eq!(images, [src]);
    for feed in ["feed.xml", "atom.xml"] {
        let text = common::well_formed(feed, &files[feed]);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let content: Vec<_> = doc
            .descendants()
            .filter(|n| n.tag_name().namespace() == Some(MEDIA) && n.tag_name().name() == "content")
            .collect();
        assert_eq!(content.len(), 1, "{feed}");
        assert_eq!(content[0].attribute("url"), Some(src), "{feed}");
        assert_eq!(content[0].attribute("medium"), Some("image"), "{feed}");
        assert!(content[0].attribute("width").is_some(), "{feed}");
        let thumbnails = doc.descendants().filter(|n| {
            n.tag_name().namespace() == Some(MEDIA) && n.tag_name().name() == "thumbnail"
        });
        assert_eq!(thumbnails.count(), 1, "{feed}");
    }
}

#[test]
fn the_front_matter_picks_the_lead_image() {
    let site = site();
    let index = site.path().join("posts/2013-09-27-lunden/index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    let text = text.replacen(
        "date = ",
        "image = \"logga.png\"\nimage_alt = \"Logga\"\ndate = ",
        1,
    );
    std::fs::write(&index, text).unwrap();
    ok(&site.herald(&["build"]));
    // 120 pixels wide, below the middle width (160): the original.
    assert_lead_image(
        &tree(&site.output()),
        "https://example.se/blogg/lunden/logga.png",
    );
}

#[test]
fn a_second_build_takes_every_image_from_the_cache() {
    let site = site();
    ok(&site.herald(&["build"]));
    let first = tree(&site.output());
    let cached = cache_files(&site);
    assert_eq!(
        cached.len(),
        2 * 2 + 3,
        "two entries with their copies and index"
    );
    ok(&site.herald(&["build"]));
    assert_eq!(tree(&site.output()), first, "byte-identical output");
    assert_eq!(cache_files(&site), cached, "nothing was encoded again");
    #[cfg(unix)]
    {
        // Cached copies are linked into the site, not copied.
        use std::os::unix::fs::MetadataExt;
        let published = std::fs::metadata(site.output().join("lunden/foto-100.jpg")).unwrap();
        assert_eq!(published.nlink(), 2, "linked from the cache");
    }

    // An image no post uses any more leaves the cache with the next build.
    let folder = site.path().join("posts/2013-09-27-lunden");
    std::fs::remove_file(folder.join("logga.png")).unwrap();
    let index = std::fs::read_to_string(folder.join("index.md")).unwrap();
    std::fs::write(
        folder.join("index.md"),
        index.replace("![Kommunens logga](logga.png)", ""),
    )
    .unwrap();
    ok(&site.herald(&["build"]));
    assert_eq!(cache_files(&site).len(), 4, "{:?}", cache_files(&site));
    assert!(!Path::new(&site.output().join("lunden/logga.png")).exists());
}

#[test]
fn static_files_are_published_as_they_are() {
    let site = site();
    let dir = site.path().join("static/.well-known");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("security.txt"), "Contact: mailto:it@example.se\n").unwrap();
    std::fs::write(site.path().join("static/robots.txt"), "User-agent: *\n").unwrap();
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    assert_eq!(files["robots.txt"], b"User-agent: *\n");
    assert_eq!(
        files[".well-known/security.txt"],
        b"Contact: mailto:it@example.se\n"
    );
}

/// The digest's HTML part for a site with the photo post, `[digest]` extended by `extra`.
fn digest_html(extra: &str) -> String {
    let site = common::mail::digest_site(&format!("to = [\"alla@example.se\"]\n{extra}"), "");
    site.bundle(
        "2013-09-28-foto",
        "title = \"Foto\"\ndate = \"2013-09-28\"",
        "![Barnen i sandlådan](foto.jpg)\n",
        &[("foto.jpg", &jpeg_with_exif(1600, 1200))],
    );
    ok(&site.herald(&["digest"]));
    let files = common::mail::eml_files(&site.path().join("outbox/2013-W40"));
    let message = common::mail::parse(&files[0]);
    message.body_html(0).unwrap().into_owned()
}

#[test]
fn the_email_has_one_absolute_image_no_wider_than_the_column() {
    let html = digest_html("");
    let page = scraper::Html::parse_document(&html);
    let img = scraper::Selector::parse("img").unwrap();
    let imgs: Vec<_> = page.select(&img).map(|e| e.value().clone()).collect();
    assert_eq!(imgs.len(), 1, "{html}");
    let img = &imgs[0];
    // Shown 1200 wide: copies 480 and 960 wide, the middle width is 960.
    assert_eq!(
        img.attr("src"),
        Some("https://example.se/blogg/foto/foto-960.jpg")
    );
    assert_eq!(img.attr("srcset"), None);
    let width: u32 = img.attr("width").unwrap().parse().unwrap();
    assert!(width <= 536, "{width}");
    assert_eq!(img.attr("border"), Some("0"));
    assert_eq!(img.attr("alt"), Some("Barnen i sandlådan"));
    let style = img.attr("style").unwrap().replace(' ', "");
    assert!(style.contains("height:auto"), "{html}");
}

#[test]
fn images_can_be_left_out_of_the_email() {
    let html = digest_html("images = false");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("Barnen i sandlådan"), "{html}");
}

/// A summary has no images of its own in a post folder (lists and feeds show
/// the lead image beside it), so a summary digest shows the lead image above
/// the summary, with the same mail rules as a full post's images.
#[test]
fn a_summary_digest_shows_the_lead_image_above_the_summary() {
    let html = digest_html("content = \"summary\"");
    let page = scraper::Html::parse_document(&html);
    let img = scraper::Selector::parse("td.post img").unwrap();
    let imgs: Vec<_> = page.select(&img).map(|e| e.value().clone()).collect();
    assert_eq!(imgs.len(), 1, "{html}");
    let img = &imgs[0];
    assert_eq!(
        img.attr("src"),
        Some("https://example.se/blogg/foto/foto-960.jpg")
    );
    let width: u32 = img.attr("width").unwrap().parse().unwrap();
    assert!(width <= 536, "{width}");
    assert_eq!(img.attr("height"), None);
    assert_eq!(img.attr("border"), Some("0"));
    assert_eq!(img.attr("alt"), Some("Barnen i sandlådan"));
    assert!(img
        .attr("style")
        .unwrap()
        .replace(' ', "")
        .contains("height:auto"));
    // With images left out, the text alternative stays as a line.
    let html = digest_html("content = \"summary\"\nimages = false");
    assert!(!html.contains("<img"), "{html}");
    assert_eq!(html.matches("Barnen i sandlådan").count(), 1, "{html}");
}

/// The sources index's entries: image path to cache key, by an independent
/// JSON parse.
fn sources(site: &Site) -> BTreeMap<String, String> {
    let path = site.path().join(".herald/cache/images").join(SOURCES);
    let index: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    index["sources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, known)| (path.clone(), known["key"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_touched_photo_is_not_encoded_again_and_a_changed_one_is() {
    let site = site();
    ok(&site.herald(&["build"]));
    let first = tree(&site.output());
    let cached = cache_files(&site);
    let keys = sources(&site);
    assert_eq!(keys.len(), 2, "both images are indexed: {keys:?}");

    // Touched (new times, same bytes): read and hashed again, not encoded.
    let photo = site.path().join("posts/2013-09-27-lunden/foto.jpg");
    let past = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&photo)
        .unwrap()
        .set_modified(past)
        .unwrap();
    ok(&site.herald(&["build"]));
    assert_eq!(tree(&site.output()), first, "byte-identical output");
    assert_eq!(cache_files(&site), cached, "nothing was encoded again");
    assert_eq!(sources(&site), keys);

    // Changed (new bytes, new times): encoded again.
    std::fs::write(&photo, jpeg_with_exif(320, 200)).unwrap();
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    assert_eq!(
        size(&files["lunden/foto.jpg"]),
        (200, 320),
        "turned upright"
    );
    assert_ne!(sources(&site), keys, "the photo has a new cache key");
}

#[test]
fn a_corrupt_sources_index_is_ignored_and_rebuilt() {
    let site = site();
    ok(&site.herald(&["build"]));
    let first = tree(&site.output());
    let keys = sources(&site);
    let index = site.path().join(".herald/cache/images").join(SOURCES);
    for bad in [
        &b"{\"version\": 1, \"sour"[..],
        b"\xff\x00",
        br#"{"version":0}"#,
    ] {
        std::fs::write(&index, bad).unwrap();
        ok(&site.herald(&["build"]));
        assert_eq!(tree(&site.output()), first, "byte-identical output");
        assert_eq!(sources(&site), keys, "rebuilt");
    }
}

/// The known trade-off, as with Git and Make: an image whose size, times,
/// inode and device are as recorded is not read again. Shown by swapping the
/// recorded entries of the two images (and dating the index ahead, so that no
/// entry counts as written in the index's own second): the warm build
/// believes the index and publishes each image's copies under the other's
/// name, which it could not if it read the files.
#[test]
fn a_warm_build_trusts_the_sources_index_and_reads_no_image() {
    let site = site();
    ok(&site.herald(&["build"]));
    let first = tree(&site.output());
    let path = site.path().join(".herald/cache/images").join(SOURCES);
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let entries = index["sources"].as_object_mut().unwrap();
    let names: Vec<String> = entries.keys().cloned().collect();
    let photo = names.iter().find(|n| n.ends_with("foto.jpg")).unwrap();
    let logo = names.iter().find(|n| n.ends_with("logga.png")).unwrap();
    for field in ["key", "copies"] {
        let of_photo = entries[photo][field].clone();
        entries[photo][field] = entries[logo][field].clone();
        entries[logo][field] = of_photo;
    }
    std::fs::write(&path, serde_json::to_vec(&index).unwrap()).unwrap();
    let ahead = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(ahead)
        .unwrap();

    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    assert_eq!(files["lunden/foto.jpg"], first["lunden/logga.png"]);
    assert_eq!(files["lunden/logga.png"], first["lunden/foto.jpg"]);
}
