use super::*;
use pulldown_cmark::{Event, Parser, Tag};

/// The text a reader sees: hard breaks as `\n`, links and emphasis unwrapped.
/// Anything but one paragraph of text and links is a failure.
fn rendered_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, crate::content::markdown::options()) {
        match event {
            Event::Text(t) => out.push_str(&t),
            Event::HardBreak => out.push('\n'),
            Event::SoftBreak => out.push(' '),
            Event::Start(Tag::Paragraph | Tag::Link { .. }) | Event::End(_) => {}
            other => panic!("unexpected {other:?} in {markdown:?}"),
        }
    }
    out
}

fn roundtrip(lines: &[&str]) -> (String, String) {
    let md = paragraph(lines);
    (md.clone(), rendered_text(&md))
}

#[test]
fn breaks_inside_a_sentence_are_joined() {
    let (md, text) = roundtrip(&["Det här är något jag", "alltid själv trott på."]);
    assert_eq!(md, "Det här är något jag alltid själv trott på.");
    assert_eq!(text, "Det här är något jag alltid själv trott på.");
}

#[test]
fn other_breaks_are_hard_breaks() {
    let (md, text) = roundtrip(&["Bra diskussioner.  ", "Det är inspirerande!"]);
    assert_eq!(md, "Bra diskussioner.\\\nDet är inspirerande!");
    assert_eq!(text, "Bra diskussioner.\nDet är inspirerande!");
}

#[test]
fn block_starts_are_escaped() {
    let lines = [
        "Fråga?",
        "- vi ser",
        "+ plus",
        "# rubrik",
        "> citat",
        "1. första",
        "12) andra",
        "2013. Ett år",
        "---",
        "===",
    ];
    let (md, text) = roundtrip(&lines);
    assert!(md.contains("\n\\- vi ser\\\n"), "{md}");
    assert!(md.contains("\n1\\. första\\\n"), "{md}");
    assert!(md.contains("\n12\\) andra\\\n"), "{md}");
    assert_eq!(text, lines.join("\n"));
}

#[test]
fn harmless_line_starts_stay() {
    let (md, _) = roundtrip(&["-10 grader", "#hashtag", "2013 var ett år", "+1"]);
    assert_eq!(md, "-10 grader\\\n#hashtag\\\n2013 var ett år\\\n+1");
}

#[test]
fn inline_syntax_is_escaped() {
    let line = r"5 * 3 = _15_, [se] `kod` <b>fet</b> a|b ~~x~~ C:\temp &amp; & mer ![bild](x)";
    let (md, text) = roundtrip(&[line]);
    assert!(
        md.starts_with(r"5 \* 3 = \_15\_, \[se\] \`kod\` \<b>fet\</b> a\|b \~\~x\~\~ C:\\temp"),
        "{md}"
    );
    assert!(md.contains(r"\&amp; & mer"), "{md}");
    assert_eq!(text, line);
}

#[test]
fn spaces_inside_lines_are_kept() {
    let line = "ledarskapsprogrammet.\u{a0} Ett härligt  gäng";
    assert_eq!(roundtrip(&[line]), (line.to_string(), line.to_string()));
}

#[test]
fn bare_urls_become_links() {
    let (md, text) = roundtrip(&["Läs på www.natkom.se finns intressant läsning."]);
    assert_eq!(
        md,
        "Läs på [www.natkom.se](http://www.natkom.se) finns intressant läsning."
    );
    assert_eq!(text, "Läs på www.natkom.se finns intressant läsning.");
    let (md, _) = roundtrip(&["Se https://x.y/z_a, och (http://a.se/b(c))."]);
    assert_eq!(md, "Se <https://x.y/z_a>, och (<http://a.se/b(c)>).");
    let (md, _) = roundtrip(&["Se www.natkom.se."]);
    assert_eq!(md, "Se [www.natkom.se](http://www.natkom.se).");
}

#[test]
fn not_every_www_is_a_url() {
    let (md, _) = roundtrip(&["swww.x och www. och www.se_x"]);
    assert_eq!(md, "swww.x och www. och [www.se\\_x](http://www.se_x)");
}

#[test]
fn paragraphs_split_at_blank_lines() {
    assert_eq!(paragraphs("Ett.\nTvå.\n\n \nTre\n"), "Ett.\\\nTvå.\n\nTre");
    assert_eq!(paragraphs("\n\n"), "");
}

#[test]
fn first_sentences() {
    assert_eq!(
        first_sentence("Dagarna flyger iväg. Mitt jobb"),
        "Dagarna flyger iväg."
    );
    assert_eq!(
        first_sentence("Vi fick t.ex. kommuner.\u{a0} Nästa"),
        "Vi fick t.ex. kommuner."
    );
    assert_eq!(
        first_sentence("Vi lyckas!, Tillsammans"),
        "Vi lyckas!, Tillsammans"
    );
    assert_eq!(
        first_sentence("Det här är något jag\nalltid trott på! Ja"),
        "Det här är något jag alltid trott på!"
    );
}

#[test]
fn titles_are_short_and_tidy() {
    assert_eq!(title("Dagarna flyger iväg.", 60), "Dagarna flyger iväg");
    let long = "I tisdags invigdes Lundens förskola \" Den naturligt kreativa förskolan\".";
    assert_eq!(
        title(long, 60),
        "I tisdags invigdes Lundens förskola ”Den naturligt…"
    );
    assert!(title(long, 60).chars().count() <= 60);
    assert_eq!(title("Ett, två, tre, fyra", 12), "Ett, två…");
    assert_eq!(title("Ett, två, tre", 13), "Ett, två, tre");
    assert_eq!(title("Supercalifragilistic", 6), "Supe…");
}
