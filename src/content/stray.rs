//! `.md` files below the posts folder that are not read as posts.
//!
//! A post is `posts/<name>.md`, or a post folder's `posts/<name>/index.md`.
//! Any other Markdown file in a subfolder (`posts/2013/a.md`, notes beside
//! a post folder's `index.md`) would otherwise be left out without a word,
//! and its author would wonder where the post went.

use std::path::{Path, PathBuf};

/// How deep below the posts folder to look: archives are a level or two
/// deep, and the bound keeps a strange tree cheap.
const MAX_DEPTH: usize = 8;

/// The `.md` files in subfolders of `dir` that are not a post folder's
/// `index.md`, sorted. Hidden files and folders are skipped, and links to
/// folders are not followed; a folder that cannot be read is skipped too
/// (reading the posts reports what matters).
pub fn stray_markdown(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for sub in entries(dir).into_iter().filter(|(_, is_dir)| *is_dir) {
        walk(&sub.0, 1, &mut found);
    }
    found.sort();
    found
}

/// Collects the stray files below `dir`, a folder `depth` levels below the posts.
fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    for (path, is_dir) in entries(dir) {
        if is_dir {
            if depth < MAX_DEPTH {
                walk(&path, depth + 1, found);
            }
        } else if path.extension().is_some_and(|e| e == "md")
            && !(depth == 1 && path.file_name().is_some_and(|n| n == "index.md"))
        {
            found.push(path);
        }
    }
}

/// The visible entries of `dir`, each with whether it is a real folder.
fn entries(dir: &Path) -> Vec<(PathBuf, bool)> {
    let Ok(list) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    list.flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_in_subfolders_is_found_except_a_post_folders_index() {
        let dir = tempfile::tempdir().unwrap();
        let posts = dir.path();
        for file in [
            "a.md",
            "bundle/index.md",
            "bundle/notes.md",
            "bundle/bild.png",
            "2013/09/index.md",
            "2013/b.md",
            ".hidden/c.md",
        ] {
            let path = posts.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let found: Vec<PathBuf> = stray_markdown(posts)
            .into_iter()
            .map(|p| p.strip_prefix(posts).unwrap().to_path_buf())
            .collect();
        let expected: Vec<PathBuf> = ["2013/09/index.md", "2013/b.md", "bundle/notes.md"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(found, expected);
    }
}
