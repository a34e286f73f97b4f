//! Files published as they are or processed: the static folder, and the
//! images and attachments in post folders.
//!
//! [`build`] returns the files to copy into the site (written by
//! [`crate::output`]) and, per post, what its local references resolve to.
//! Images are processed in parallel, one at a time per core, so memory is
//! bounded by the largest image (see `images.max_pixels`), never the set;
//! their encoded copies live in the cache ([`cache`], the only code that
//! touches it), so an unchanged image is never decoded again, and an image
//! whose file is unchanged ([`sources`]) is not even read.

mod cache;
mod picture;
mod sources;
mod strip;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::media::{Attachment, Media, Picture, RefKind, Variant};
use crate::content::Post;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::output::CopiedFile;
use cache::Cache;
pub(crate) use picture::{process, Settings};
use sources::{Known, Sources, Stamp};

/// The files of the site that are copied, and each post's resolved media.
#[derive(Debug, Clone, Default)]
pub(crate) struct Assets {
    /// Files to copy into the site.
    pub files: Vec<CopiedFile>,
    /// Per post source file: its pictures and attachments.
    pub media: HashMap<PathBuf, Media>,
}

/// Raised when the cache layout or processing changes, so old entries are
/// made again rather than reused.
const VERSION: &str = "herald-images-2";

/// Image files by extension; anything else in a post folder is an attachment.
const IMAGE_EXTENSIONS: [&str; 4] = ["jpg", "jpeg", "png", "webp"];

/// One image file of a post folder to process.
struct Job<'a> {
    post: &'a Post,
    /// Its path in the post folder, `/`-separated.
    rel: String,
    source: PathBuf,
}

/// The static folder's files and the published posts' folders, processed.
/// With `prune`, cache entries no post uses any more are removed.
pub(crate) fn build(config: &Config, posts: &[Post], prune: bool) -> Result<Assets> {
    let mut assets = Assets {
        files: static_files(&config.paths.static_files)?,
        media: HashMap::new(),
    };
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    for post in posts {
        let Some(folder) = &post.folder else { continue };
        let media = assets.media.entry(post.source.clone()).or_default();
        media.widths.clone_from(&config.images.widths);
        for rel in walk(folder).map_err(|e| Error::read(folder, e))? {
            let source = folder.join(&rel);
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel == "index.md" || rel.ends_with(".md") {
                continue;
            }
            if is_image(&rel) {
                jobs.push(Job { post, rel, source });
                continue;
            }
            let size = std::fs::metadata(&source)
                .map_err(|e| Error::read(&source, e))?
                .len();
            let kind = extension(&rel).to_uppercase();
            media
                .attachments
                .insert(rel.clone(), Attachment { kind, size });
            assets.files.push(CopiedFile {
                path: PathBuf::from(&post.slug).join(&rel),
                origin: source.clone(),
                source,
                link: false,
            });
        }
        problems.extend(unsupported_images(post));
    }
    let dir = &config.images.cache;
    let cache = Cache::new(dir);
    let settings = Settings {
        widths: &config.images.widths,
        quality: config.images.quality,
        max_pixels: config.images.max_pixels,
    };
    let sources = Sources::load(dir);
    let fingerprint = fingerprint(settings);
    let done: Vec<_> = jobs
        .par_iter()
        .with_max_len(1)
        .map(|job| publish_image(job, &cache, &sources, settings, &fingerprint))
        .collect();
    let mut keys = HashSet::new();
    let mut seen = Vec::with_capacity(jobs.len());
    for (job, result) in jobs.iter().zip(done) {
        match result {
            Ok((known, picture, files)) => {
                keys.insert(known.key.clone());
                seen.push((job.source.clone(), known));
                let media = assets.media.entry(job.post.source.clone()).or_default();
                media.pictures.insert(job.rel.clone(), picture);
                assets.files.extend(files);
            }
            Err(problem) => problems.push(problem),
        }
    }
    problems.extend(collisions(&assets.files));
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    if prune {
        cache.prune(&keys).map_err(|e| Error::write(dir, e))?;
    }
    if !seen.is_empty() || prune {
        sources.save(dir, seen, !prune);
    }
    Ok(assets)
}

/// Each post with its resolved media added to what it had (links to posts).
pub(crate) fn attach(posts: &mut [Post], mut media: HashMap<PathBuf, Media>) {
    for post in posts {
        if let Some(found) = media.remove(&post.source) {
            let mut all = found;
            all.posts.clone_from(&post.media.posts);
            post.media = std::sync::Arc::new(all);
        }
    }
}

/// Processes one image (or takes it from the cache): what to record about
/// it in the sources index, its picture, and its copies to publish.
fn publish_image(
    job: &Job,
    cache: &Cache,
    sources: &Sources,
    settings: Settings,
    fingerprint: &str,
) -> Result<(Known, Picture, Vec<CopiedFile>), Diagnostic> {
    let blame = |message: String| match job.post.refs.iter().find(|r| r.path == job.rel) {
        Some(r) => Diagnostic::at(&job.post.source, r.line, message),
        None => Diagnostic::file(&job.source, message),
    };
    let cannot_read = |e| blame(format!("cannot read the image `{}`: {e}", job.rel));
    let stamp = Stamp::of(&std::fs::metadata(&job.source).map_err(cannot_read)?);
    // An unchanged file's entry is found without reading the file.
    let known = sources
        .get(&job.source, &stamp, fingerprint)
        .filter(|known| cache.has(&known.key, &known.copies))
        .map(|known| (known.key.clone(), known.copies.clone()));
    let (key, copies) = match known {
        Some(found) => found,
        None => {
            let bytes = std::fs::read(&job.source).map_err(cannot_read)?;
            let key = key(&bytes, settings);
            match cache.get(&key) {
                Some(copies) => (key, copies),
                None => {
                    let encoded = process(&bytes, settings).map_err(|e| {
                        blame(format!("the image `{}` cannot be published: {e}", job.rel))
                    })?;
                    drop(bytes);
                    let copies = cache
                        .put(&key, extension(&job.rel), &encoded)
                        .map_err(|e| blame(format!("cannot write the image cache: {e}")))?;
                    (key, copies)
                }
            }
        }
    };
    let mut variants = Vec::with_capacity(copies.len());
    let mut files = Vec::with_capacity(copies.len());
    for copy in &copies {
        let name = match copy.target {
            Some(w) => sized_name(&job.rel, w),
            None => job.rel.clone(),
        };
        files.push(CopiedFile {
            path: PathBuf::from(&job.post.slug).join(&name),
            source: cache.path(&key, copy),
            origin: job.source.clone(),
            link: true,
        });
        variants.push(Variant {
            name,
            width: copy.width,
            height: copy.height,
        });
    }
    let known = Known {
        stamp,
        settings: fingerprint.to_string(),
        key,
        copies,
    };
    Ok((known, Picture { variants }, files))
}

/// The cache key: the image's bytes and everything that shapes its copies.
fn key(bytes: &[u8], settings: Settings) -> String {
    let mut hasher = settings_hasher(settings);
    hasher.update(bytes);
    hasher.finalize().to_hex().to_string()
}

/// The settings' part of the key alone, recorded in the sources index.
fn fingerprint(settings: Settings) -> String {
    settings_hasher(settings).finalize().to_hex().to_string()
}

/// A hasher fed everything that shapes an image's copies.
fn settings_hasher(settings: Settings) -> blake3::Hasher {
    let mut hasher = blake3::Hasher::new();
    hasher.update(VERSION.as_bytes());
    for w in settings.widths {
        hasher.update(&w.to_le_bytes());
    }
    hasher.update(&[settings.quality]);
    hasher
}

/// `bilder/foto-480.jpg` for `bilder/foto.jpg` at 480 pixels.
fn sized_name(rel: &str, width: u32) -> String {
    match rel.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{width}.{ext}"),
        None => format!("{rel}-{width}"),
    }
}

fn extension(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or("", |(_, ext)| ext)
}

fn is_image(rel: &str) -> bool {
    let ext = extension(rel).to_ascii_lowercase();
    IMAGE_EXTENSIONS.contains(&ext.as_str())
}

/// `![alt](file)` naming a file that is no JPEG, PNG or WebP.
fn unsupported_images(post: &Post) -> Vec<Diagnostic> {
    post.refs
        .iter()
        .filter(|r| matches!(r.kind, RefKind::Image { .. }) && !r.path.ends_with(".md"))
        .filter(|r| !is_image(&r.path))
        .map(|r| {
            let message = format!(
                "`{}` is not a JPEG, PNG or WebP image; convert it, or link it as an attachment \
                 with `[text]({0})`",
                r.path
            );
            Diagnostic::at(&post.source, r.line, message)
        })
        .collect()
}

/// Two files published at the same path, each named.
fn collisions(files: &[CopiedFile]) -> Vec<Diagnostic> {
    let mut seen: HashMap<&Path, &Path> = HashMap::new();
    let mut problems = Vec::new();
    for file in files {
        match seen.insert(&file.path, &file.origin) {
            Some(first) if first != file.origin => problems.push(Diagnostic::file(
                &file.origin,
                format!(
                    "would be published as `{}`, like {}; rename one of them",
                    file.path.display(),
                    first.display()
                ),
            )),
            _ => {}
        }
    }
    problems
}

/// The static folder's files, to be published at the same paths. A missing
/// folder has none.
fn static_files(dir: &Path) -> Result<Vec<CopiedFile>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let files = walk(dir).map_err(|e| Error::read(dir, e))?;
    Ok(files
        .into_iter()
        .map(|rel| CopiedFile {
            source: dir.join(&rel),
            origin: dir.join(&rel),
            path: rel,
            link: false,
        })
        .collect())
}

/// The files below `dir` (following no symlinked folder), relative to it,
/// in name order, without editors' backups (`x~`, `.DS_Store`).
fn walk(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().ends_with('~') || name == ".DS_Store" {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(rel.join(&name));
            } else if kind.is_file() || entry.path().is_file() {
                out.push(rel.join(&name));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_kinds() {
        assert_eq!(sized_name("bilder/foto.jpg", 480), "bilder/foto-480.jpg");
        assert!(is_image("A.JPG") && is_image("b.webp") && !is_image("p.pdf"));
        assert_eq!(extension("dir.x/protokoll.pdf"), "pdf");
    }

    #[test]
    fn walk_lists_nested_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        for f in ["z.txt", "a/b/c.css", "a/x~", ".well-known.txt"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let files = walk(dir.path()).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [".well-known.txt", "a/b/c.css", "z.txt"]);
    }
}
