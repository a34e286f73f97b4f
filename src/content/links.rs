//! A post's local references as it is loaded: the files its folder must
//! hold, its lead image, and links to other posts by their source file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use url::Url;

use super::markdown;
use super::media::{self, LocalRef, LocalRefs, Media, RefKind};
use super::nesting::{self, TooDeep};
use super::Post;
use crate::diag::Diagnostic;

/// The folder of a post folder's `index.md` (not of `<posts>/index.md`).
pub(super) fn bundle_folder(path: &Path, posts: &Path) -> Option<PathBuf> {
    let folder = path.parent()?;
    (path.file_name()? == "index.md" && folder != posts).then(|| folder.to_path_buf())
}

/// A post's local references and its lead image (path, text alternative).
pub(super) type Found = (Vec<LocalRef>, Option<(String, String)>);

/// Parses `body` (starting at line `body_line` of its file) once, for both
/// what loading needs from it: its local references, and whether it nests
/// deeper than the later stages allow ([`nesting`]).
pub(super) fn scan(body: &str, body_line: usize) -> (Vec<LocalRef>, Result<(), TooDeep>) {
    let mut found = LocalRefs::new(body, body_line);
    let mut events = markdown::parser(body)
        .into_offset_iter()
        .inspect(|(event, range)| found.see(event, range));
    let depth = nesting::check(body, &mut events);
    // The measure stops at the first place too deep; the references after
    // it are still checked, so that every problem is reported at once.
    events.for_each(drop);
    (found.finish(), depth)
}

/// The local references `refs` of the post `path` checked, and its lead
/// image (path and text alternative): front matter `image` (path, alt,
/// line), else the first image. A plain post's files are not published:
/// only its links to other posts are kept. Every problem (a missing file,
/// an image without alt text) is returned.
pub(super) fn collect(
    path: &Path,
    mut refs: Vec<LocalRef>,
    folder: Option<&Path>,
    image: Option<(&str, &str, usize)>,
) -> Result<Found, Vec<Diagnostic>> {
    let mut lead = refs.iter().find_map(|r| match &r.kind {
        RefKind::Image { alt } => Some((r.path.clone(), alt.clone())),
        RefKind::Link => None,
    });
    if let Some((file, alt, line)) = image {
        let (file, alt) = (file.trim().to_string(), alt.trim().to_string());
        lead = Some((file.clone(), alt.clone()));
        let kind = RefKind::Image { alt };
        refs.push(LocalRef {
            path: file,
            line,
            kind,
        });
    }
    let problems = match folder {
        Some(folder) => media::check(path, folder, &refs),
        None => {
            refs.retain(|r| r.path.ends_with(".md"));
            lead = None;
            let message = "`image` needs a post folder: move the post to \
                           `posts/<name>/index.md` and put the image beside it";
            image
                .map(|(_, _, line)| Diagnostic::at(path, line, message))
                .into_iter()
                .collect()
        }
    };
    if problems.is_empty() {
        Ok((refs, lead))
    } else {
        Err(problems)
    }
}

/// Resolves links to other posts by their source file (`../x/index.md`,
/// `x.md`) to those posts' URLs; a link to a file that is no post is an error.
pub(super) fn link_posts(posts: &mut [Post]) -> Vec<Diagnostic> {
    let urls: HashMap<PathBuf, Url> = posts
        .iter()
        .map(|p| (p.source.clone(), p.url.clone()))
        .collect();
    let mut problems = Vec::new();
    for post in posts.iter_mut() {
        let mut found = Media::default();
        for r in post.refs.iter().filter(|r| r.path.ends_with(".md")) {
            match urls.get(&media::linked_post(&post.source, &r.path)) {
                Some(url) => {
                    found.posts.insert(r.path.clone(), url.clone());
                }
                None => problems.push(Diagnostic::at(
                    &post.source,
                    r.line,
                    format!("`{}` is not a post in the posts folder", r.path),
                )),
            }
        }
        post.media = Arc::new(found);
    }
    problems
}
