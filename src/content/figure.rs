//! Local images and links in a post body, replaced by what they resolve to:
//! an `<img>` with the resized copies, another post's URL, an attachment's
//! type and size after its link.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::media::{local_path, Attachment, Media, Picture, DECORATIVE};

/// How images are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Images {
    /// Pages: every copy in `srcset`, intrinsic size, loaded lazily.
    Srcset,
    /// Feeds and mail, whose readers ignore `srcset`: one copy of the
    /// middle width.
    Single,
}

/// `events` with local images and links resolved through `media`.
pub(super) fn resolve<'a>(
    events: impl Iterator<Item = Event<'a>>,
    media: &'a Media,
    images: Images,
) -> impl Iterator<Item = Event<'a>> {
    // The image being read: its picture, title and the alt text so far.
    let mut open: Option<(&Picture, CowStr<'a>, String)> = None;
    let mut attachment: Option<&Attachment> = None;
    events.filter_map(move |event| match event {
        Event::Start(Tag::Image {
            ref dest_url,
            ref title,
            ..
        }) => match local_path(dest_url).and_then(|p| media.pictures.get(&p)) {
            Some(picture) => {
                open = Some((picture, title.clone(), String::new()));
                None
            }
            None => Some(event),
        },
        Event::Text(ref t) | Event::Code(ref t) if open.is_some() => {
            if let Some((_, _, alt)) = open.as_mut() {
                alt.push_str(t);
            }
            None
        }
        Event::End(TagEnd::Image) if open.is_some() => {
            let (picture, title, alt) = open.take()?;
            let tag = img(picture, &alt, &title, &media.widths, images);
            Some(Event::InlineHtml(tag.into()))
        }
        _ if open.is_some() => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let path = local_path(&dest_url);
            let post = path.as_ref().and_then(|p| media.posts.get(p));
            attachment = path.as_ref().and_then(|p| media.attachments.get(p));
            let dest_url = post.map_or(dest_url, |url| url.to_string().into());
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) => match attachment.take() {
            Some(a) => Some(Event::InlineHtml(
                format!("</a> ({}, {})", a.kind, size(a.size)).into(),
            )),
            None => Some(event),
        },
        other => Some(other),
    })
}

/// The `<img>` element of `picture`. Width and height are the intrinsic
/// size of `src`, so the page keeps the image's place before it loads.
fn img(picture: &Picture, alt: &str, title: &str, widths: &[u32], images: Images) -> String {
    let src = picture.middle(widths);
    let alt = if alt.trim() == DECORATIVE { "" } else { alt };
    let mut tag = format!(
        "<img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"",
        url_attr(&src.name),
        src.width,
        src.height,
        attr(alt)
    );
    if !title.is_empty() {
        tag.push_str(&format!(" title=\"{}\"", attr(title)));
    }
    if images == Images::Srcset {
        let srcset: Vec<String> = picture
            .variants
            .iter()
            .map(|v| format!("{} {}w", url_attr(&v.name), v.width))
            .collect();
        tag.push_str(&format!(
            " srcset=\"{}\" sizes=\"(max-width: {w}px) 100vw, {w}px\" loading=\"lazy\" decoding=\"async\"",
            srcset.join(", "),
            w = src.width
        ));
    }
    tag.push('>');
    tag
}

/// Text for an HTML attribute value in double quotes.
fn attr(text: &str) -> String {
    handlebars::html_escape(text)
}

/// A file name as a URL in an attribute: spaces (which would split a
/// `srcset` candidate) percent-encoded.
fn url_attr(name: &str) -> String {
    attr(&name.replace(' ', "%20"))
}

/// A file size as people read it: `240 kB`, `3 MB`.
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..10_000_000 => format!("{} kB", bytes.div_ceil(1_000)),
        _ => format!("{} MB", bytes.div_ceil(1_000_000)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::media::Variant;
    use super::*;
    use crate::content::markdown;

    fn media() -> Media {
        let mut media = Media {
            widths: vec![480, 960, 1600],
            ..Media::default()
        };
        let variant = |name: &str, width, height| Variant {
            name: name.into(),
            width,
            height,
        };
        media.pictures.insert(
            "bild.jpg".into(),
            Picture {
                variants: vec![
                    variant("bild-480.jpg", 480, 320),
                    variant("bild-960.jpg", 960, 640),
                    variant("bild.jpg", 1200, 800),
                ],
            },
        );
        media.attachments.insert(
            "protokoll.pdf".into(),
            Attachment {
                kind: "PDF".into(),
                size: 240_000,
            },
        );
        media
    }

    #[test]
    fn pictures_get_every_copy_in_pages_and_one_elsewhere() {
        let body = "![Barn *leker*](bild.jpg \"Lek\") och ![\"\"](bild.jpg)\n";
        let page = markdown::to_html(body, &media(), Images::Srcset);
        assert!(page.contains(r#"<img src="bild-960.jpg" width="960" height="640" alt="Barn leker" title="Lek" srcset="bild-480.jpg 480w, bild-960.jpg 960w, bild.jpg 1200w" sizes="(max-width: 960px) 100vw, 960px" loading="lazy" decoding="async">"#), "{page}");
        assert!(page.contains(r#"alt="" srcset"#), "decorative: {page}");
        let feed = markdown::to_html(body, &media(), Images::Single);
        assert!(
            feed.contains(
                r#"<img src="bild-960.jpg" width="960" height="640" alt="Barn leker" title="Lek">"#
            ),
            "{feed}"
        );
        assert!(!feed.contains("srcset"), "{feed}");
    }

    #[test]
    fn attachments_show_type_and_size() {
        let html = markdown::to_html("[Protokoll](protokoll.pdf)\n", &media(), Images::Srcset);
        assert_eq!(
            html,
            "<p><a href=\"protokoll.pdf\">Protokoll</a> (PDF, 240 kB)</p>\n"
        );
        assert_eq!(size(999), "999 B");
        assert_eq!(size(12_400_000), "13 MB");
    }
}
