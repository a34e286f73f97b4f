//! Fixed texts of the default digest templates, in the site's language
//! (`{{m.<name>}}`). Overriding templates may ignore them.

use std::borrow::Cow;

use serde::Serialize;

use super::Lang;

/// The digest's own texts; page texts stay available as `{{t.<name>}}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MailTexts {
    pub heading: &'static str,
    pub greeting: &'static str,
    pub intro: &'static str,
    /// Why the reader gets the email: `[digest] footer`, else a neutral text.
    pub why: Cow<'static, str>,
    pub follow: &'static str,
    pub links: &'static str,
}

static SV: MailTexts = MailTexts {
    heading: "Veckobrev",
    greeting: "Hej",
    intro: "Här är veckans inlägg från bloggen.",
    why: Cow::Borrowed("Du får det här veckobrevet eftersom du står på bloggens sändlista."),
    follow: "Följ bloggen i Outlook eller en flödesläsare",
    links: "Länkar",
};

static EN: MailTexts = MailTexts {
    heading: "Weekly digest",
    greeting: "Hello",
    intro: "Here are this week's posts from the blog.",
    why: Cow::Borrowed("You receive this weekly email because you are on the blog's mailing list."),
    follow: "Follow the blog in Outlook or a feed reader",
    links: "Links",
};

impl Lang {
    /// The digest's texts, with the site's own `footer` when it has one.
    pub(crate) fn mail_texts(self, footer: Option<&str>) -> MailTexts {
        let mut texts = match self {
            Lang::Sv => SV.clone(),
            Lang::En => EN.clone(),
        };
        if let Some(footer) = footer {
            texts.why = Cow::Owned(footer.to_string());
        }
        texts
    }
}
