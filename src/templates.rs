//! Handlebars templates: defaults embedded from `templates/`, overridable per site.
//!
//! The binary carries the repository's `templates/*.hbs` files. A file of the
//! same name in the site's templates folder replaces a default; any other
//! `.hbs` file there is registered too (for extra partials). The pages'
//! stylesheet, `style.css`, is overridable the same way.

use std::path::{Path, PathBuf};

use handlebars::Handlebars;

use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::output::OutputFile;

pub mod explain;
mod partials;

/// The default templates, by file name, embedded from the repository's `templates/`.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("layout.hbs", include_str!("../templates/layout.hbs")),
    ("meta.hbs", include_str!("../templates/meta.hbs")),
    ("index.hbs", include_str!("../templates/index.hbs")),
    ("post.hbs", include_str!("../templates/post.hbs")),
    ("tag.hbs", include_str!("../templates/tag.hbs")),
    ("subscribe.hbs", include_str!("../templates/subscribe.hbs")),
    ("archive.hbs", include_str!("../templates/archive.hbs")),
    ("page.hbs", include_str!("../templates/page.hbs")),
    ("404.hbs", include_str!("../templates/404.hbs")),
];

/// The default stylesheet of the pages, written to the site root as
/// `style.css` (one cacheable file instead of the same CSS in every page).
pub const STYLESHEET: (&str, &str) = ("style.css", include_str!("../templates/style.css"));

/// The site's stylesheet: `style.css` from the templates folder when there
/// is one, else the default.
pub fn stylesheet(dir: &Path) -> Result<OutputFile> {
    let (name, default) = STYLESHEET;
    let own = dir.join(name);
    let bytes = match std::fs::read(&own) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => default.as_bytes().to_vec(),
        Err(e) => return Err(Error::read(&own, e)),
    };
    Ok(OutputFile {
        path: PathBuf::from(name),
        bytes,
    })
}

/// The default digest templates, by file name (`templates eject` writes them too).
pub const MAIL_DEFAULTS: &[(&str, &str)] = &[
    (
        "digest.html.hbs",
        include_str!("../templates/digest.html.hbs"),
    ),
    (
        "digest.txt.hbs",
        include_str!("../templates/digest.txt.hbs"),
    ),
];

/// The digest's templates, each registered as `digest` (and the subject as
/// `subject` in the text registry).
pub struct Mail {
    /// `digest.html.hbs`, HTML-escaped.
    pub html: Handlebars<'static>,
    /// `digest.txt.hbs` and the subject, not escaped: plain text has no `&amp;`.
    pub text: Handlebars<'static>,
    /// The sources of all three, to see how they use the recipient.
    pub sources: Vec<String>,
    /// Where `digest.html.hbs` came from (the site's or the built-in one), for messages.
    pub html_file: PathBuf,
    /// Where `digest.txt.hbs` came from.
    pub text_file: PathBuf,
}

impl Mail {
    /// The file a rendering problem of template `name` in the `html` (or
    /// text) registry is reported in: the subject is in the config.
    pub fn file_of(&self, name: &str, html: bool) -> PathBuf {
        match (name, html) {
            ("subject", _) => PathBuf::from("config.toml"),
            (_, true) => self.html_file.clone(),
            (_, false) => self.text_file.clone(),
        }
    }
}

/// The file page template `name` comes from: the site's own in `dir`, else
/// the built-in one (shown as `templates/<name>.hbs`).
pub fn file_of(dir: &Path, name: &str) -> PathBuf {
    let file = format!("{name}.hbs");
    let own = dir.join(&file);
    if own.is_file() {
        own
    } else {
        Path::new("templates").join(file)
    }
}

/// Loads the digest templates (defaults, or the same file names in `dir`) and
/// the configured subject template, in strict mode.
pub fn mail(dir: &Path, subject: &str) -> Result<Mail> {
    let mut html = Handlebars::new();
    html.set_strict_mode(true);
    html.register_escape_fn(escape_html);
    let mut text = Handlebars::new();
    text.set_strict_mode(true);
    text.register_escape_fn(handlebars::no_escape);
    let mut problems = Vec::new();
    let mut sources = vec![subject.to_string()];
    let mut paths = Vec::new();
    for (file, default) in MAIL_DEFAULTS {
        let own = dir.join(file);
        let (path, source) = match std::fs::read_to_string(&own) {
            // Cleaned, so that no template holds the digest's markers.
            Ok(source) => (own, crate::clean::text(&source).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (Path::new("templates").join(file), default.to_string())
            }
            Err(e) => return Err(Error::read(&own, e)),
        };
        let registry = if file.ends_with(".html.hbs") {
            &mut html
        } else {
            &mut text
        };
        if let Err(err) = registry.register_template_string("digest", &source) {
            problems.extend(explain::syntax(&path, &source, &err));
        }
        sources.push(source);
        paths.push(path);
    }
    if let Err(err) = text.register_template_string("subject", subject) {
        for problem in explain::syntax(Path::new("subject"), subject, &err) {
            let message = format!("digest.subject: {}", problem.message);
            problems.push(Diagnostic::file(Path::new("config.toml"), message));
        }
    }
    // `paths` holds the HTML template's file, then the text one's.
    let file_of = |i: usize| {
        let paths = &paths;
        move |name: &str| match name {
            "subject" => PathBuf::from("config.toml"),
            _ => paths[i].clone(),
        }
    };
    problems.extend(partials::loops(&html, file_of(0)));
    problems.extend(partials::loops(&text, file_of(1)));
    if problems.is_empty() {
        let [html_file, text_file] = <[PathBuf; 2]>::try_from(paths).expect("two digest templates");
        Ok(Mail {
            html,
            text,
            sources,
            html_file,
            text_file,
        })
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Loads the defaults, then the overrides in `dir` (which need not exist), in
/// strict mode. Every syntax error is reported with its file and line.
pub fn load(dir: &Path) -> Result<Handlebars<'static>> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(escape_html);
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
        // Templates are text from outside like any other (see `crate::clean`).
        let text = crate::clean::text(&text).into_owned();
        match sources.iter_mut().find(|(name, ..)| *name == file) {
            Some(slot) => *slot = (file, path, text),
            None => sources.push((file, path, text)),
        }
    }
    let mut problems = Vec::new();
    for (file, path, text) in &sources {
        let name = file.trim_end_matches(".hbs");
        if let Err(err) = registry.register_template_string(name, text) {
            problems.extend(explain::syntax(path, text, &err));
        }
    }
    problems.extend(partials::loops(&registry, |name| {
        sources
            .iter()
            .find(|(file, ..)| file.trim_end_matches(".hbs") == name)
            .map_or_else(|| PathBuf::from(name), |(_, path, _)| path.clone())
    }));
    if problems.is_empty() {
        Ok(registry)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// HTML escaping as handlebars does it (the same seven characters, the same
/// entities), but copying the text between them in one piece rather than a
/// character at a time: a large site escapes millions of short strings.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut plain = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'&' => "&amp;",
            b'\'' => "&#x27;",
            b'`' => "&#x60;",
            b'=' => "&#x3D;",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both slices fall on character boundaries.
        out.push_str(&text[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
    out
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
    fn escaping_matches_handlebars() {
        for text in [
            "",
            "Vecka 39: å, ä & ö",
            "<script>alert('x')</script>",
            "a=b`c\"d\"&amp;",
            "&",
            "🎉 <ö> 🎉",
            "עברית & العربية",
        ] {
            assert_eq!(escape_html(text), handlebars::html_escape(text), "{text}");
        }
    }

    #[test]
    fn mail_text_is_not_escaped_and_html_is() {
        let mail = mail(Path::new("/nonexistent"), "Vecka {{week}} & mer").unwrap();
        let data = serde_json::json!({"week": "39"});
        assert_eq!(
            mail.text.render("subject", &data).unwrap(),
            "Vecka 39 & mer"
        );
        assert!(mail.html.has_template("digest"));
        assert!(mail.html.strict_mode() && mail.text.strict_mode());
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
        assert_eq!(
            problems[0].to_string(),
            format!(
                "{}:2:1: {{{{#if x}}}} is never closed: add {{{{/if}}}}",
                dir.path().join("tag.hbs").display()
            )
        );
    }
}
