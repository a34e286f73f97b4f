//! `[site]` and `[site.author]`: who publishes, where, in which language and
//! time zone.

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::check::Checker;
use super::colour::{self, Colour};
use crate::clean::Cleaned;
use crate::i18n::Lang;

/// `[site]`: who publishes, where, in which language and time zone.
#[derive(Debug, Clone)]
pub struct Site {
    /// Blog title. Required.
    pub title: String,
    /// One-line description used in feeds and pages. Default: empty.
    pub description: String,
    /// Absolute http(s) URL of the site root; always ends with `/`. Required.
    pub base_url: Url,
    /// BCP 47 language tag, e.g. `sv` or `sv-SE`. Default: `sv`.
    pub language: String,
    /// The language used for dates and page texts, from `language`.
    pub lang: Lang,
    /// IANA time zone for dates without an offset. Default: `Europe/Stockholm`.
    pub timezone: Tz,
    /// Default author of every post.
    pub author: Author,
    /// Publish time for posts dated with a day only. Default: `08:00` local time.
    pub default_publish_time: NaiveTime,
    /// The organisation's logo in the pages' header. Default: none.
    pub logo: Option<Logo>,
    /// The theme's accent (header band, links); at least 4.5:1 against
    /// white. Default: none, the theme's own.
    pub accent: Option<Colour>,
}

/// `[site] logo` and `logo_alt`.
#[derive(Debug, Clone)]
pub struct Logo {
    /// A path in the static folder (`/`-separated, relative), published at
    /// the same path below `base_url`.
    pub path: String,
    /// Its text alternative (required: the logo is a link's content).
    pub alt: String,
}

/// `[site.author]`.
#[derive(Debug, Clone)]
pub struct Author {
    /// Display name. Required.
    pub name: String,
    /// Email address, used for RSS `managingEditor`. Optional.
    pub email: Option<String>,
}

/// `[site]` as written; its text is [`Cleaned`] as it is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSite {
    title: Cleaned,
    #[serde(default)]
    description: Cleaned,
    base_url: Spanned<String>,
    language: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    author: RawAuthor,
    default_publish_time: Option<Spanned<String>>,
    logo: Option<Spanned<String>>,
    logo_alt: Option<Spanned<Cleaned>>,
    accent: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthor {
    name: Cleaned,
    email: Option<String>,
}

/// Checks `[site]`; `None` when it has problems (all reported).
pub(super) fn resolve(raw: RawSite, check: &mut Checker) -> Option<Site> {
    let before = check.problems.len();
    let base_url = checked(check, &raw.base_url, parse_base_url);
    let language = spanned_or(&raw.language, "sv");
    checked(check, &language, check_language);
    let timezone = spanned_or(&raw.timezone, "Europe/Stockholm");
    let tz = checked(check, &timezone, |zone| {
        zone.parse::<Tz>().map_err(|_| {
            format!("unknown time zone `{zone}`; use an IANA name such as `Europe/Stockholm`")
        })
    });
    let publish = spanned_or(&raw.default_publish_time, "08:00");
    let time = checked(check, &publish, |time| {
        NaiveTime::parse_from_str(time, "%H:%M")
            .map_err(|_| format!("default_publish_time `{time}` is not a time like `08:00`"))
    });
    let logo = logo(&raw.logo, &raw.logo_alt, check);
    let accent = raw
        .accent
        .as_ref()
        .and_then(|accent| checked(check, accent, parse_accent));
    if check.problems.len() > before {
        return None;
    }
    Some(Site {
        title: raw.title.into_string(),
        description: raw.description.into_string(),
        base_url: base_url?,
        lang: Lang::from_tag(language.get_ref()),
        language: language.into_inner(),
        timezone: tz?,
        author: Author {
            name: raw.author.name.into_string(),
            email: raw.author.email,
        },
        default_publish_time: time?,
        logo,
        accent,
    })
}

/// `logo` and `logo_alt`: both or neither, the path a plain relative one.
fn logo(
    path: &Option<Spanned<String>>,
    alt: &Option<Spanned<Cleaned>>,
    check: &mut Checker,
) -> Option<Logo> {
    let alt_text = alt.as_ref().map(|a| a.get_ref().as_str().trim());
    match (path, alt) {
        (Some(path), _) if alt_text.is_some_and(|a| !a.is_empty()) => Some(Logo {
            path: checked(check, path, check_logo_path)?,
            alt: alt_text.unwrap_or_default().to_string(),
        }),
        (Some(path), alt) => {
            let message = "logo needs `logo_alt`, the text a screen reader says for it \
                           (the organisation's name, e.g. `logo_alt = \"Vimmerby kommun\"`)";
            match alt {
                Some(alt) => check.at(alt, message),
                None => check.at(path, message),
            }
            None
        }
        (None, Some(alt)) => {
            check.at(alt, "logo_alt is set but `logo` is not");
            None
        }
        (None, None) => None,
    }
}

/// A logo is a file of the static folder, named as a relative URL path.
fn check_logo_path(path: &str) -> Result<String, String> {
    let plain = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', '?', '#', ':'])
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if plain {
        Ok(path.to_string())
    } else {
        Err(format!(
            "logo `{path}` must be a path in the static folder such as `logo.svg` or `bilder/logo.png`"
        ))
    }
}

/// An accent colour that reaches AA contrast against white, where the
/// theme puts it: the links on the light page, the band under white text.
fn parse_accent(text: &str) -> Result<Colour, String> {
    let colour = Colour::parse(text)?;
    let ratio = colour.contrast(colour::WHITE);
    if ratio < colour::AA_TEXT {
        return Err(format!(
            "accent `{text}` has a contrast of {ratio:.2}:1 against white, where the theme \
             uses it (links on the light page, white text on the header band); WCAG 2.1 AA \
             asks for at least 4.5:1: choose a darker shade"
        ));
    }
    Ok(colour)
}

/// `value` parsed by `parse`, or `None` with its message reported at its line.
fn checked<T>(
    check: &mut Checker,
    value: &Spanned<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    parse(value.get_ref())
        .map_err(|message| check.at(value, message))
        .ok()
}

fn spanned_or(value: &Option<Spanned<String>>, default: &str) -> Spanned<String> {
    value
        .clone()
        .unwrap_or_else(|| Spanned::new(0..0, default.to_string()))
}

fn parse_base_url(text: &str) -> Result<Url, String> {
    let hint = "base_url must be an absolute http(s) URL such as `https://example.se/blogg/`";
    let mut url = Url::parse(text).map_err(|_| format!("`{text}` is not absolute: {hint}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("`{text}`: {hint}"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Checks the shape of a BCP 47 tag: a 2–3 letter language, then 1–8 character subtags.
pub(super) fn check_language(tag: &str) -> Result<(), String> {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "language `{tag}` is not a BCP 47 tag such as `sv` or `sv-SE`"
        ))
    }
}
