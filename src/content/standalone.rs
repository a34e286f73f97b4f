//! Standalone pages: `<name>.md` files in `[paths] pages` ("Om bloggen", the
//! accessibility statement), each rendered with the layout at `/<slug>/` and
//! listed in the navigation. They are not posts: no date, no tags, never in
//! a feed or the digest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use rayon::prelude::*;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::source::{decode, read_source};
use super::{frontmatter, markdown, media, nesting, slug, Post};
use crate::clean::Cleaned;
use crate::config::Config;
use crate::diag::{self, Diagnostic};
use crate::error::{Error, Result};

/// One standalone page, parsed and rendered (pages are few and short, so
/// their HTML is kept, unlike a post's).
#[derive(Debug, Clone)]
pub struct Standalone {
    /// The file it came from.
    pub source: PathBuf,
    /// The URL path segment: `[a-z0-9-]` only.
    pub slug: String,
    /// The page's address, `<base_url><slug>/`.
    pub url: Url,
    /// Plain-text title.
    pub title: String,
    /// The navigation link's text: front matter `nav_title`, else the title.
    pub nav_title: String,
    /// Front matter `summary`, else the first paragraph as plain text: the
    /// page's description for link previews.
    pub summary: String,
    /// Where the page stands in the navigation (lower first).
    pub nav_order: i64,
    /// Last significant change, if given: the sitemap's `lastmod`.
    pub updated: Option<DateTime<Tz>>,
    /// The body as HTML.
    pub html: String,
    /// The line of the slug (or 1), for a collision's message.
    slug_line: usize,
}

/// The keys a page may set. Unknown keys are an error, as for posts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageFront {
    title: Option<Spanned<Cleaned>>,
    slug: Option<Spanned<String>>,
    summary: Option<Cleaned>,
    nav_title: Option<Cleaned>,
    #[serde(default)]
    nav_order: i64,
    updated: Option<Spanned<toml::Value>>,
}

/// Reads every `*.md` file in the pages folder (none when it does not
/// exist), in navigation order: `nav_order`, then slug.
pub(crate) fn load(config: &Config) -> Result<Vec<Standalone>> {
    let dir = &config.paths.pages;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::read(dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::read(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".md") && !name.starts_with('.') && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    let parsed: Vec<_> = files
        .par_iter()
        .map(|path| {
            let bytes = read_source(path)
                .map_err(|e| vec![Diagnostic::file(path, format!("cannot read: {e}"))])?;
            parse(path, &bytes, config)
        })
        .collect();
    let mut pages = Vec::new();
    let mut problems = Vec::new();
    for result in parsed {
        match result {
            Ok(page) => pages.push(page),
            Err(found) => problems.extend(found),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    pages.sort_by(|a, b| (a.nav_order, &a.slug).cmp(&(b.nav_order, &b.slug)));
    Ok(pages)
}

/// Parses one page file, with the same messages as a post's for the same
/// mistakes (front matter, slug, nesting).
fn parse(path: &Path, bytes: &[u8], config: &Config) -> Result<Standalone, Vec<Diagnostic>> {
    let text = decode(path, bytes).map_err(|d| vec![d])?;
    let split = frontmatter::split_file(path, &text).map_err(|d| vec![d])?;
    let front: PageFront = toml::from_str(split.front)
        .map_err(|e| vec![diag::from_toml(path, split.front, split.front_line, &e)])?;
    let line_at = |span: std::ops::Range<usize>| {
        diag::line_of(split.front, span.start) + split.front_line - 1
    };
    let mut problems = Vec::new();
    let title = front.title.as_ref().map(|t| t.get_ref().as_str().trim());
    match (&front.title, title) {
        (Some(t), Some("")) => problems.push(Diagnostic::at(
            path,
            line_at(t.span()),
            "the title is empty",
        )),
        (None, _) => problems.push(Diagnostic::at(
            path,
            1,
            "missing `title` in the front matter",
        )),
        _ => {}
    }
    let site = &config.site;
    let updated = front.updated.as_ref().and_then(|value| {
        frontmatter::parse_date(value.get_ref(), site.timezone, site.default_publish_time)
            .map_err(|m| problems.push(Diagnostic::at(path, line_at(value.span()), m)))
            .ok()
    });
    let slug = match &front.slug {
        Some(s) if slug::is_valid(s.get_ref()) => s.get_ref().clone(),
        Some(s) => {
            let message = format!(
                "slug `{}` may only contain a-z, 0-9 and -",
                s.get_ref().escape_debug()
            );
            problems.push(Diagnostic::at(path, line_at(s.span()), message));
            String::new()
        }
        None => slug::slugify(path.file_stem().and_then(|s| s.to_str()).unwrap_or("")),
    };
    let body_line = split.front_line + split.front.matches('\n').count() + 1;
    let events = super::markdown::parser(split.body).into_offset_iter();
    if let Err(deep) = nesting::check(split.body, events) {
        problems.push(nesting::diagnose(path, split.body, body_line, &deep));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let url = site
        .base_url
        .join(&format!("{slug}/"))
        .expect("a valid slug joins onto a base URL");
    let summary = match &front.summary {
        Some(s) => s.as_str().trim().to_string(),
        None => markdown::summary(split.body, &url).text,
    };
    let title = title.unwrap_or_default().to_string();
    let nav_title = front
        .nav_title
        .as_ref()
        .map(|t| t.as_str().trim())
        .filter(|t| !t.is_empty())
        .map_or_else(|| title.clone(), str::to_string);
    Ok(Standalone {
        source: path.to_path_buf(),
        slug_line: front.slug.as_ref().map_or(1, |s| line_at(s.span())),
        slug,
        url,
        title,
        nav_title,
        summary,
        nav_order: front.nav_order,
        updated,
        html: markdown::to_html(
            split.body,
            &media::Media::default(),
            markdown::Images::Srcset,
        ),
    })
}

/// Every page whose slug is taken: by another page, by a post (published
/// or not, so that publishing one never breaks a build), or by the site's
/// own folders (`tags`, `page`, the subscribe page, the archive). Each
/// message names both sides.
pub(crate) fn collisions(pages: &[Standalone], posts: &[Post], config: &Config) -> Vec<Diagnostic> {
    let reserved = super::reserved(config);
    let mut problems = Vec::new();
    let by_slug: HashMap<&str, &Post> = posts.iter().map(|p| (p.slug.as_str(), p)).collect();
    let mut seen: HashMap<&str, &Standalone> = HashMap::new();
    for page in pages {
        let taken_by = if reserved.contains(&page.slug.as_str()) {
            Some("the site's own pages".to_string())
        } else if let Some(post) = by_slug.get(page.slug.as_str()) {
            Some(format!("the post {}", post.source.display()))
        } else {
            seen.get(page.slug.as_str())
                .map(|first| format!("the page {}", first.source.display()))
        };
        if let Some(other) = taken_by {
            let message = format!(
                "slug `{}` is already used by {other}; set a different `slug`",
                page.slug
            );
            problems.push(Diagnostic::at(&page.source, page.slug_line, message));
        }
        seen.entry(&page.slug).or_insert(page);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = "[site]\ntitle = \"B\"\nbase_url = \"https://example.se/blogg/\"\n[site.author]\nname = \"K\"\n";
        Config::parse(Path::new("config.toml"), text).unwrap()
    }

    fn page(name: &str, text: &str) -> Result<Standalone, Vec<String>> {
        parse(&Path::new("pages").join(name), text.as_bytes(), &config())
            .map_err(|d| d.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_page_takes_its_slug_from_the_file_and_its_summary_from_the_text() {
        let p = page(
            "Om bloggen.md",
            "+++\ntitle = \" Om bloggen \"\n+++\n\nFörsta *stycket*.\n\n## Mer\n",
        )
        .unwrap();
        assert_eq!(p.slug, "om-bloggen");
        assert_eq!(p.url.as_str(), "https://example.se/blogg/om-bloggen/");
        assert_eq!(
            (p.title.as_str(), p.nav_title.as_str()),
            ("Om bloggen", "Om bloggen")
        );
        assert_eq!(p.summary, "Första stycket.");
        assert_eq!(p.nav_order, 0);
        assert!(p.html.contains("<h2>Mer</h2>"), "{}", p.html);
    }

    #[test]
    fn mistakes_are_reported_at_their_lines() {
        let problems = page(
            "a.md",
            "+++\ntitle = \"\"\nslug = \"Om Oss\"\nupdated = \"igår\"\n+++\n",
        )
        .unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("pages/a.md:2: the title is empty"));
        assert!(problems[1].starts_with("pages/a.md:4: `igår` is not a valid date"));
        assert!(problems[2].starts_with("pages/a.md:3: slug `Om Oss` may only contain"));
    }

    #[test]
    fn a_reserved_slug_or_a_second_page_with_a_slug_collides() {
        let a = page("arkiv.md", "+++\ntitle = \"A\"\n+++\n").unwrap();
        let b = page("b.md", "+++\ntitle = \"B\"\n+++\n").unwrap();
        let c = page("c.md", "+++\ntitle = \"C\"\nslug = \"b\"\n+++\n").unwrap();
        let found: Vec<String> = collisions(&[a, b, c], &[], &config())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "pages/arkiv.md:1: slug `arkiv` is already used by the site's own pages; set a different `slug`",
                "pages/c.md:3: slug `b` is already used by the page pages/b.md; set a different `slug`",
            ]
        );
    }
}
