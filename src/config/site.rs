//! `[site]` and `[site.author]`: who publishes, where, in which language and
//! time zone.

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::check::Checker;
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
    })
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
