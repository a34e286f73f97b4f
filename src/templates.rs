//! Handlebars templates: defaults embedded from `templates/`, overridable per site.
//!
//! The binary carries the repository's `templates/*.hbs` files. A file of the
//! same name in the site's templates folder replaces a default; any other
//! `.hbs` file there is registered too (for extra partials).

use std::path::{Path, PathBuf};

use handlebars::Handlebars;

use crate::diag::Diagnostic;
use crate::error::{Error, Result};

/// The default templates, by file name, embedded from the repository's `templates/`.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("layout.hbs", include_str!("../templates/layout.hbs")),
    ("index.hbs", include_str!("../templates/index.hbs")),
    ("post.hbs", include_str!("../templates/post.hbs")),
    ("tag.hbs", include_str!("../templates/tag.hbs")),
    ("subscribe.hbs", include_str!("../templates/subscribe.hbs")),
];

/// Loads the defaults, then the overrides in `dir` (which need not exist), in
/// strict mode. Every syntax error is reported with its file and line.
pub fn load(dir: &Path) -> Result<Handlebars<'static>> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    let mut sources: Vec<(String, PathBuf, String)> = DEFAULTS
        .iter()
        .map(|(file, text)| {
            (
                file.to_string(),
                Path::new("templates").join(file),
                text.to_string(),
            )
        })
        .collect();
    for (file, path) in overrides(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::read(&path, e))?;
        match sources.iter_mut().find(|(name, ..)| *name == file) {
            Some(slot) => *slot = (file, path, text),
            None => sources.push((file, path, text)),
        }
    }
    let mut problems = Vec::new();
    for (file, path, text) in sources {
        let name = file.trim_end_matches(".hbs");
        if let Err(err) = registry.register_template_string(name, text) {
            let line = err.pos().map_or(1, |(line, _)| line);
            problems.push(Diagnostic::at(
                &path,
                line,
                format!("template syntax error: {}", err.reason()),
            ));
        }
    }
    if problems.is_empty() {
        Ok(registry)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// The `.hbs` files in `dir`, sorted; none when the folder does not exist.
fn overrides(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::read(dir, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::read(dir, e))?.path();
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            if name.ends_with(".hbs") && !name.starts_with('.') {
                found.push((name.to_string(), path.clone()));
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_compile_in_strict_mode() {
        let registry = load(Path::new("/nonexistent")).unwrap();
        assert!(registry.has_template("index"));
        assert!(registry.strict_mode());
    }

    #[test]
    fn overrides_replace_defaults_and_errors_have_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("post.hbs"), "{{title}}").unwrap();
        let registry = load(dir.path()).unwrap();
        let out = registry
            .render("post", &serde_json::json!({"title": "Hej & hå"}))
            .unwrap();
        assert_eq!(out, "Hej &amp; hå");

        std::fs::write(dir.path().join("tag.hbs"), "ok\n{{#if x}}\nno close\n").unwrap();
        let Err(Error::Invalid(problems)) = load(dir.path()) else {
            panic!("expected a syntax error")
        };
        assert_eq!(problems.len(), 1);
        assert!(problems[0].path.ends_with("tag.hbs"));
        assert!(problems[0].line.is_some());
    }
}
