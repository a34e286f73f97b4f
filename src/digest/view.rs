//! What the digest templates see of each post: its HTML readied for mail
//! clients (sanitised, absolute URLs, images and tables fitted to the
//! column) and the same as plain text.

use serde::Serialize;

use super::text;
use crate::config::{Config, Content, Digest};
use crate::content::{self, Post};
use crate::error::Result;
use crate::html;
use crate::site::TagLink;

/// The width in pixels of the default mail template's text column (a 600
/// pixel page less 32 pixels of padding each side): no image is wider.
const MAIL_COLUMN: u32 = 536;

/// One post as `{{#each posts}}` sees it.
#[derive(Serialize)]
pub(super) struct PostView {
    id: String,
    title: String,
    url: String,
    date: String,
    date_iso: String,
    author: Option<String>,
    /// `name` and `url`, as in page templates.
    tags: Vec<TagLink<'static>>,
    /// Sanitised HTML with absolute URLs: the full post or its summary.
    html: String,
    /// The same as plain text, wrapped, links listed.
    text: String,
}

/// The view of `post` in `digest`.
pub(super) fn post(config: &Config, digest: &Digest, post: &Post) -> Result<PostView> {
    let html = match digest.content {
        Content::Summary => format!("{}{}", lead_image(post), post.summary_html),
        Content::Full => {
            let body = content::body_html(post, content::Images::Single)?;
            html::absolutize(&body, &post.url).into_owned()
        }
    };
    let html = html::Sanitizer::default().clean(&html);
    let html = html::for_mail(&html, MAIL_COLUMN, digest.images);
    Ok(PostView {
        id: post.id.clone(),
        title: post.title.clone(),
        url: post.url.to_string(),
        date: config.site.lang.long_date(&post.date),
        date_iso: post.date.to_rfc3339(),
        author: post.author.clone(),
        tags: post
            .tags
            .iter()
            .map(|t| TagLink::new(config.site.base_url.as_str(), t).into_owned())
            .collect(),
        text: text::from_html(&html),
        html,
    })
}

/// The lead image of a post folder as a paragraph, for a summary: index
/// pages and feeds show it beside the summary, which has no images of its
/// own (`content` removes them), so the email shows it above. A post
/// without a folder keeps the images of its summary and has no lead copy.
fn lead_image(post: &Post) -> String {
    match post.lead_image() {
        Some(lead) => format!(
            "<p><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"></p>\n",
            handlebars::html_escape(lead.src.as_str()),
            lead.width,
            lead.height,
            handlebars::html_escape(&lead.alt),
        ),
        None => String::new(),
    }
}

/// `text` on one line, its runs of white space single spaces.
pub(super) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins_lines_and_spaces() {
        assert_eq!(
            one_line("  Första\nraden   och\tmer "),
            "Första raden och mer"
        );
    }
}
