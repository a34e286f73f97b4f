//! `sitemap.xml` (the sitemaps.org 0.9 protocol) and the `robots.txt` that
//! names it, so that search engines, the municipality's own search included,
//! find every page.
//!
//! The XML is written with `quick-xml`'s writer (already built for the feed
//! crates), never pieced together from strings: it escapes every URL.

use std::io;
use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat};
use chrono_tz::Tz;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use crate::config::Config;
use crate::content::{Post, Standalone, Tag};
use crate::output::OutputFile;

/// The sitemap's file name at the site root (named in `robots.txt`).
pub(crate) const FILE: &str = "sitemap.xml";

/// The robots file: crawlers read it only at a host's root, so on a site
/// below a path it is harmless and useful when the root serves it.
pub(crate) const ROBOTS: &str = "robots.txt";

/// The most URLs one sitemap file may hold (sitemaps.org); a bigger site
/// gets `sitemap.xml` as an index of `sitemap-1.xml`, `sitemap-2.xml` …
pub(crate) const MAX_URLS: usize = 50_000;

const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// One page of the sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    loc: String,
    lastmod: Option<DateTime<Tz>>,
}

/// `sitemap.xml` (and its parts on a large site) listing the index, the
/// archive, the subscribe page, the standalone pages, the tag pages and every
/// post (`posts` published, newest first); with `robots`, a `robots.txt`
/// naming it.
pub(crate) fn build(
    config: &Config,
    posts: &[Post],
    tags: &[(Tag, Vec<&Post>)],
    pages: &[Standalone],
    robots: bool,
) -> Vec<OutputFile> {
    let base = &config.site.base_url;
    let at = |path: &str| {
        base.join(path)
            .expect("site paths are URL-safe")
            .to_string()
    };
    let newest = posts.iter().map(Post::modified).max();
    let lang = config.site.lang;
    let mut entries = vec![
        Entry {
            loc: base.to_string(),
            lastmod: newest,
        },
        Entry {
            loc: at(&format!("{}/", lang.archive_slug())),
            lastmod: newest,
        },
        Entry {
            loc: at(&format!("{}/", lang.subscribe_slug())),
            lastmod: None,
        },
    ];
    entries.extend(pages.iter().map(|p| Entry {
        loc: p.url.to_string(),
        lastmod: p.updated,
    }));
    entries.extend(tags.iter().map(|(tag, posts)| Entry {
        loc: at(&format!("tags/{}/", tag.slug)),
        lastmod: posts.iter().map(|p| p.modified()).max(),
    }));
    entries.extend(posts.iter().map(|p| Entry {
        loc: p.url.to_string(),
        lastmod: Some(p.modified()),
    }));
    let mut files = sitemaps(&entries, MAX_URLS, &at);
    if robots {
        files.push(OutputFile {
            path: PathBuf::from(ROBOTS),
            bytes: format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", at(FILE)).into_bytes(),
        });
    }
    files
}

/// One sitemap of `entries`, or, beyond `per_file`, an index of numbered
/// parts; `at` makes a file name absolute.
fn sitemaps(entries: &[Entry], per_file: usize, at: &dyn Fn(&str) -> String) -> Vec<OutputFile> {
    if entries.len() <= per_file {
        return vec![file(FILE, "urlset", "url", entries)];
    }
    let mut files = Vec::new();
    let mut parts = Vec::new();
    for (i, chunk) in entries.chunks(per_file).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        parts.push(Entry {
            loc: at(&name),
            lastmod: chunk.iter().filter_map(|e| e.lastmod).max(),
        });
        files.push(file(&name, "urlset", "url", chunk));
    }
    files.insert(0, file(FILE, "sitemapindex", "sitemap", &parts));
    files
}

/// The file `name`: a `root` element of `item` elements, one per entry.
fn file(name: &str, root: &str, item: &str, entries: &[Entry]) -> OutputFile {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write(&mut writer, root, item, entries).expect("writing to memory cannot fail");
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    OutputFile {
        path: PathBuf::from(name),
        bytes,
    }
}

fn write(
    writer: &mut Writer<Vec<u8>>,
    root: &str,
    item: &str,
    entries: &[Entry],
) -> io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element(root)
        .with_attribute(("xmlns", NS))
        .write_inner_content(|w| {
            for entry in entries {
                w.create_element(item).write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(&entry.loc))?;
                    if let Some(lastmod) = entry.lastmod {
                        // W3C Datetime, to the second, with the site's offset.
                        let text = lastmod.to_rfc3339_opts(SecondsFormat::Secs, true);
                        w.create_element("lastmod")
                            .write_text_content(BytesText::new(&text))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Stockholm;

    fn entry(n: u32) -> Entry {
        Entry {
            loc: format!("https://example.se/a&b/{n}/"),
            lastmod: Some(Stockholm.with_ymd_and_hms(2013, 9, n, 8, 0, 0).unwrap()),
        }
    }

    fn at(name: &str) -> String {
        format!("https://example.se/{name}")
    }

    #[test]
    fn one_file_escapes_urls_and_writes_w3c_datetimes() {
        let files = sitemaps(&[entry(6), entry(13)], MAX_URLS, &at);
        assert_eq!(files.len(), 1);
        let text = String::from_utf8(files[0].bytes.clone()).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let root = doc.root_element();
        assert_eq!(
            (root.tag_name().name(), root.tag_name().namespace()),
            ("urlset", Some(NS))
        );
        let locs: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("loc"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(
            locs,
            ["https://example.se/a&b/6/", "https://example.se/a&b/13/"]
        );
        assert!(
            text.contains("<lastmod>2013-09-06T08:00:00+02:00</lastmod>"),
            "{text}"
        );
    }

    #[test]
    fn more_urls_than_a_file_holds_make_an_index_of_parts() {
        let files = sitemaps(&[entry(6), entry(13), entry(20)], 2, &at);
        let names: Vec<_> = files.iter().map(|f| f.path.display().to_string()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);
        let index = String::from_utf8(files[0].bytes.clone()).unwrap();
        let doc = roxmltree::Document::parse(&index).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "sitemapindex");
        let parts: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("sitemap"))
            .map(|n| {
                let child = |tag| {
                    n.children()
                        .find(|c| c.has_tag_name(tag))
                        .and_then(|c| c.text())
                };
                (child("loc").unwrap(), child("lastmod").unwrap())
            })
            .collect();
        assert_eq!(
            parts,
            [
                (
                    "https://example.se/sitemap-1.xml",
                    "2013-09-13T08:00:00+02:00"
                ),
                (
                    "https://example.se/sitemap-2.xml",
                    "2013-09-20T08:00:00+02:00"
                ),
            ]
        );
    }
}
