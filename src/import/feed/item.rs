//! One feed item as the readers ([`super::xml`], [`super::json`]) find it,
//! whatever the format: the raw values herald needs, nothing decided yet.

/// A feed item's fields as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Item {
    /// The title and whether it is HTML.
    pub title: Option<Body>,
    /// `guid`, Atom `id` or JSON `id`.
    pub id: Option<String>,
    /// The alternate link (`link`, Atom `rel="alternate"`, JSON `url`).
    pub link: Option<String>,
    /// The first publication date as written (`pubDate`, `published`, `issued`, ...).
    pub published: Option<String>,
    /// The last change as written (`updated`, `modified`, `dc:date`, ...).
    pub updated: Option<String>,
    /// The author's name.
    pub author: Option<String>,
    /// Category names.
    pub tags: Vec<String>,
    /// The content, else the summary.
    pub body: Option<Body>,
}

/// A piece of content and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Body {
    /// Plain text.
    Text(String),
    /// HTML (Atom `html` and `xhtml`, RSS descriptions, JSON `content_html`).
    Html(String),
    /// Content elsewhere (Atom `src`).
    Link(String),
    /// A media type that cannot be a post (`video/mp4`).
    Other(String),
}
