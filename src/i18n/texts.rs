//! The fixed texts of the default page templates, `{{t.<name>}}`.

use serde::Serialize;

use super::Lang;

impl Lang {
    /// The fixed texts templates use, as `{{t.<name>}}`.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Sv => &SV,
            Lang::En => &EN,
        }
    }
}

/// Fixed texts for the default templates. Overriding templates may ignore them.
#[derive(Debug, Serialize)]
pub struct Texts {
    pub home: &'static str,
    pub read_more: &'static str,
    pub tagged: &'static str,
    pub tags: &'static str,
    pub subscribe: &'static str,
    pub subscribe_intro: &'static str,
    pub outlook_heading: &'static str,
    pub outlook_steps: [&'static str; 4],
    pub reader_heading: &'static str,
    pub reader_text: &'static str,
    pub email_heading: &'static str,
    pub email_text: &'static str,
    pub feed_rss: &'static str,
    pub feed_atom: &'static str,
    pub feed_json: &'static str,
    pub published: &'static str,
    pub updated: &'static str,
    pub newer: &'static str,
    pub older: &'static str,
    pub page: &'static str,
    pub draft: &'static str,
    pub scheduled: &'static str,
    pub archive: &'static str,
    pub archive_intro: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub back_home: &'static str,
    /// The skip link to the page's main content.
    pub skip: &'static str,
    /// The label of the header's navigation landmark.
    pub nav_main: &'static str,
    /// The label of a list's pagination landmark.
    pub nav_pages: &'static str,
    /// The label of a post's newer/older landmark.
    pub nav_posts: &'static str,
    /// The label of a post's table, before its number ("Tabell 2").
    pub table: &'static str,
}

static SV: Texts = Texts {
    home: "Start",
    read_more: "Läs mer",
    tagged: "Inlägg om",
    tags: "Ämnen",
    subscribe: "Prenumerera",
    subscribe_intro: "Du kan följa bloggen på tre sätt: i Outlook, i en flödesläsare eller som veckobrev i din e-post.",
    outlook_heading: "I Outlook",
    outlook_steps: [
        "Kopiera flödets adress nedan (RSS).",
        "Högerklicka på mappen RSS-flöden i Outlook och välj Lägg till ett nytt RSS-flöde.",
        "Klistra in adressen och klicka på Lägg till.",
        "Nya inlägg visas sedan i mappen, precis som e-post.",
    ],
    reader_heading: "I en flödesläsare",
    reader_text: "Lägg till bloggens adress eller någon av flödesadresserna nedan i din flödesläsare (till exempel Feedly, Inoreader eller NetNewsWire).",
    email_heading: "Som veckobrev",
    email_text: "Alla medarbetare får varje vecka ett veckobrev med veckans inlägg i sin e-post. Du behöver inte göra något.",
    feed_rss: "RSS-flöde",
    feed_atom: "Atom-flöde",
    feed_json: "JSON-flöde",
    published: "Publicerad",
    updated: "Uppdaterad",
    newer: "Nyare inlägg",
    older: "Äldre inlägg",
    page: "Sida",
    draft: "Utkast",
    scheduled: "Schemalagt",
    archive: "Arkiv",
    archive_intro: "Alla inlägg, de senaste först.",
    not_found: "Sidan finns inte",
    not_found_text: "Sidan du söker finns inte här. Den kan ha flyttats eller tagits bort, eller så är adressen felstavad.",
    back_home: "Till startsidan",
    skip: "Hoppa till innehållet",
    nav_main: "Huvudmeny",
    nav_pages: "Sidor",
    nav_posts: "Nyare och äldre inlägg",
    table: "Tabell",
};

static EN: Texts = Texts {
    home: "Home",
    read_more: "Read more",
    tagged: "Posts about",
    tags: "Topics",
    subscribe: "Subscribe",
    subscribe_intro: "You can follow this blog in three ways: in Outlook, in a feed reader, or as a weekly email.",
    outlook_heading: "In Outlook",
    outlook_steps: [
        "Copy the feed address below (RSS).",
        "Right-click the RSS Feeds folder in Outlook and choose Add a New RSS Feed.",
        "Paste the address and click Add.",
        "New posts then appear in that folder, just like email.",
    ],
    reader_heading: "In a feed reader",
    reader_text: "Add the blog's address or one of the feed addresses below to your feed reader (for example Feedly, Inoreader or NetNewsWire).",
    email_heading: "As a weekly email",
    email_text: "Every week all staff receive an email with that week's posts. There is nothing you need to do.",
    feed_rss: "RSS feed",
    feed_atom: "Atom feed",
    feed_json: "JSON feed",
    published: "Published",
    updated: "Updated",
    newer: "Newer posts",
    older: "Older posts",
    page: "Page",
    draft: "Draft",
    scheduled: "Scheduled",
    archive: "Archive",
    archive_intro: "Every post, newest first.",
    not_found: "Page not found",
    not_found_text: "The page you are looking for is not here. It may have been moved or removed, or the address may be misspelt.",
    back_home: "Go to the home page",
    skip: "Skip to content",
    nav_main: "Main menu",
    nav_pages: "Pages",
    nav_posts: "Newer and older posts",
    table: "Table",
};
