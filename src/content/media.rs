//! A post's local references (images, attachments, other posts) as found in
//! its Markdown, and what they resolve to once the files are processed.

use std::collections::HashMap;
use std::path::Path;

use pulldown_cmark::{Event, Tag, TagEnd};
use url::Url;

use crate::diag::{self, Diagnostic};

/// A link or image in a post body that names a local file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRef {
    /// The path inside the post's folder, decoded, without query or fragment.
    pub path: String,
    /// The line in the post file.
    pub line: usize,
    /// An image (`![alt](…)`) or a link.
    pub kind: RefKind,
}

/// How a local file is referenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefKind {
    /// `![alt](path)`, with its text alternative.
    Image { alt: String },
    /// `[text](path)`.
    Link,
}

/// The text alternative an author writes for a purely decorative image
/// (`![""](ram.png)`): published as `alt=""`, which screen readers skip.
pub(crate) const DECORATIVE: &str = "\"\"";

/// One published image: its copies, narrowest first; the last is the
/// full-size original (oriented, metadata removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub variants: Vec<Variant>,
}

/// One published copy of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The file name, published in the post's folder.
    pub name: String,
    pub width: u32,
    pub height: u32,
}

/// A post's lead image, resolved: what lists, feeds and link previews show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    /// The copy of the middle width, absolute.
    pub src: Url,
    pub width: u32,
    pub height: u32,
    /// The narrowest copy, for thumbnails.
    pub thumbnail: (Url, u32, u32),
    /// Every copy as a `srcset`, absolute URLs.
    pub srcset: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub mime: &'static str,
    /// The text alternative (empty for a decorative image).
    pub alt: String,
}

impl Lead {
    /// The lead image of the post at `url` whose media is `media`.
    pub fn of(url: &Url, lead: Option<&(String, String)>, media: &Media) -> Option<Lead> {
        let (path, alt) = lead?;
        let picture = media.pictures.get(path)?;
        let at = |v: &Variant| url.join(&v.name).ok();
        let middle = picture.middle(&media.widths);
        let thumb = &picture.variants[0];
        let srcset: Option<Vec<String>> = picture
            .variants
            .iter()
            .map(|v| at(v).map(|u| format!("{u} {}w", v.width)))
            .collect();
        let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        Some(Lead {
            src: at(middle)?,
            width: middle.width,
            height: middle.height,
            thumbnail: (at(thumb)?, thumb.width, thumb.height),
            srcset: srcset?.join(", "),
            mime: match ext.as_str() {
                "png" => "image/png",
                "webp" => "image/webp",
                _ => "image/jpeg",
            },
            alt: if alt.trim() == DECORATIVE {
                String::new()
            } else {
                alt.clone()
            },
        })
    }
}

impl Picture {
    /// The copy used where only one `src` is read (feeds, mail): the middle
    /// configured width, or the widest the image has.
    pub fn middle(&self, widths: &[u32]) -> &Variant {
        let want = widths.get(widths.len() / 2).copied().unwrap_or(u32::MAX);
        self.variants
            .iter()
            .rev()
            .find(|v| v.width <= want)
            .unwrap_or(&self.variants[0])
    }
}

/// A published attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its type as readers know it: `PDF`, `DOCX` (the upper-case extension).
    pub kind: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What a post's local references resolve to, keyed by [`LocalRef::path`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Media {
    pub pictures: HashMap<String, Picture>,
    pub attachments: HashMap<String, Attachment>,
    /// Links to other posts by their source file, to those posts' URLs.
    pub posts: HashMap<String, Url>,
    /// The widths configured, for [`Picture::middle`].
    pub widths: Vec<u32>,
}

impl Media {
    /// Nothing to resolve: the body renders as written.
    pub fn is_empty(&self) -> bool {
        self.pictures.is_empty() && self.attachments.is_empty() && self.posts.is_empty()
    }
}

/// The local file a link target names, if it does: a relative URL (not
/// `/…`, `#…`, `?…` or with a scheme) whose last segment has an extension.
/// Links to folders (`../annat/`) are page links, left as written.
pub(crate) fn local_path(dest: &str) -> Option<String> {
    let dest = dest.trim();
    // Most links are absolute web addresses: no need to parse them to see.
    if dest.is_empty()
        || dest.starts_with(['/', '#', '?', '\\'])
        || dest.starts_with("https://")
        || dest.starts_with("http://")
    {
        return None;
    }
    if !matches!(
        Url::parse(dest),
        Err(url::ParseError::RelativeUrlWithoutBase)
    ) {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    if !last.contains('.') || last.starts_with('.') && !last[1..].contains('.') {
        return None;
    }
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()
        .map(|p| p.into_owned())
}

/// The local references of a body, gathered from its parser's events as
/// they pass by (the one parse at load also measures the nesting), in order.
pub(crate) struct LocalRefs<'b> {
    body: &'b str,
    first_line: usize,
    refs: Vec<LocalRef>,
    /// The image being read: its path, line and the alt text so far.
    alt: Option<(String, usize, String)>,
}

impl<'b> LocalRefs<'b> {
    /// Collects from `body`, whose first line is line `first_line` of its file.
    pub(crate) fn new(body: &'b str, first_line: usize) -> Self {
        LocalRefs {
            body,
            first_line,
            refs: Vec::new(),
            alt: None,
        }
    }

    /// Takes in one event and its byte range in the body.
    pub(crate) fn see(&mut self, event: &Event, range: &std::ops::Range<usize>) {
        let line = || self.first_line + diag::line_of(self.body, range.start) - 1;
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                if let Some(path) = local_path(dest_url) {
                    self.alt = Some((path, line(), String::new()));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = self.alt.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((path, line, alt)) = self.alt.take() {
                    let kind = RefKind::Image { alt };
                    self.refs.push(LocalRef { path, line, kind });
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(path) = local_path(dest_url) {
                    let line = line();
                    let kind = RefKind::Link;
                    self.refs.push(LocalRef { path, line, kind });
                }
            }
            _ => {}
        }
    }

    /// The references seen, in order.
    pub(crate) fn finish(self) -> Vec<LocalRef> {
        self.refs
    }
}

/// Checks a post's references against its folder: every file must exist
/// inside it, and every image needs a text alternative. Links to `.md`
/// files are other posts, checked once all posts are loaded.
pub(crate) fn check(file: &Path, folder: &Path, refs: &[LocalRef]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for r in refs {
        let is_post = r.path.ends_with(".md");
        if !is_post && r.path.split('/').any(|s| s == ".." || s.is_empty()) {
            let message = format!(
                "`{}` lies outside the post's folder; put the file beside the post",
                r.path
            );
            problems.push(Diagnostic::at(file, r.line, message));
        } else if !is_post && !folder.join(&r.path).is_file() {
            let message = format!("`{}` does not exist in {}", r.path, folder.display());
            problems.push(Diagnostic::at(file, r.line, message));
        }
        if let RefKind::Image { alt } = &r.kind {
            if alt.trim().is_empty() {
                let message = format!(
                    "the image `{}` has no text alternative: describe it, `![Barn leker i sandlådan]({0})`, \
                     or mark a purely decorative image with `![\"\"]({0})`",
                    r.path
                );
                problems.push(Diagnostic::at(file, r.line, message));
            }
        }
    }
    problems
}

/// The post a `.md` link names, as a source path: against the linking
/// post's file (`../2013-09-20-x/index.md`, `2013-09-20-x.md`).
pub(crate) fn linked_post(from: &Path, path: &str) -> std::path::PathBuf {
    let base = from.parent().unwrap_or(Path::new(""));
    let mut out = base.to_path_buf();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths() {
        assert_eq!(local_path("bild.jpg").as_deref(), Some("bild.jpg"));
        assert_eq!(local_path("a%20b.pdf#x").as_deref(), Some("a b.pdf"));
        assert_eq!(
            local_path("../x/index.md").as_deref(),
            Some("../x/index.md")
        );
        for not_local in [
            "../annat/",
            "https://e.se/a.jpg",
            "/a.jpg",
            "#fn1",
            "mailto:a@b.se",
            "x",
        ] {
            assert_eq!(local_path(not_local), None, "{not_local}");
        }
    }

    #[test]
    fn refs_carry_lines_and_alt_text() {
        let body =
            "Text.\n\n![En *glad* bild](bild.jpg)\n[Protokoll](p.pdf) [ut](https://e.se/x.pdf)\n";
        let mut found = LocalRefs::new(body, 5);
        for (event, range) in crate::content::markdown::parser(body).into_offset_iter() {
            found.see(&event, &range);
        }
        let refs = found.finish();
        assert_eq!(
            refs,
            [
                LocalRef {
                    path: "bild.jpg".into(),
                    line: 7,
                    kind: RefKind::Image {
                        alt: "En glad bild".into()
                    }
                },
                LocalRef {
                    path: "p.pdf".into(),
                    line: 8,
                    kind: RefKind::Link
                },
            ]
        );
    }

    #[test]
    fn missing_files_and_alt_text_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jpg"), b"x").unwrap();
        let image = |path: &str, alt: &str| LocalRef {
            path: path.into(),
            line: 3,
            kind: RefKind::Image { alt: alt.into() },
        };
        let refs = [
            image("a.jpg", "A"),
            image("a.jpg", ""),
            image("b.jpg", "B"),
            image("../a.jpg", "C"),
        ];
        let problems: Vec<String> = check(Path::new("p/index.md"), dir.path(), &refs)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("p/index.md:3") && problems[0].contains("text alternative"));
        assert!(problems[1].contains("does not exist"));
        assert!(problems[2].contains("outside"));
        assert!(check(
            Path::new("p/index.md"),
            dir.path(),
            &[image("a.jpg", DECORATIVE)]
        )
        .is_empty());
    }
}
