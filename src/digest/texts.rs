//! Fixed texts of the default digest templates, in the site's language
//! (`{{m.<name>}}`). Overriding templates may ignore them.

use serde::Serialize;

use crate::i18n::Lang;

/// The digest's own texts; page texts stay available as `{{t.<name>}}`.
#[derive(Debug, Serialize)]
pub struct MailTexts {
    pub heading: &'static str,
    pub greeting: &'static str,
    pub intro: &'static str,
    pub why: &'static str,
    pub follow: &'static str,
    pub links: &'static str,
}

static SV: MailTexts = MailTexts {
    heading: "Veckobrev",
    greeting: "Hej",
    intro: "Här är veckans inlägg från bloggen.",
    why: "Du får det här veckobrevet som medarbetare i kommunen.",
    follow: "Följ bloggen i Outlook eller en flödesläsare",
    links: "Länkar",
};

static EN: MailTexts = MailTexts {
    heading: "Weekly digest",
    greeting: "Hello",
    intro: "Here are this week's posts from the blog.",
    why: "You receive this weekly email as a member of staff.",
    follow: "Follow the blog in Outlook or a feed reader",
    links: "Links",
};

/// The texts for `lang`.
pub fn for_lang(lang: Lang) -> &'static MailTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}
