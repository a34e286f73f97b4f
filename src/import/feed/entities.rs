//! Character references as old feeds write them, made readable for a strict
//! XML parser before parsing.
//!
//! Feeds use HTML's named entities (`&nbsp;`, `&eacute;`) without declaring
//! them, write windows-1252 code points as references (`&#146;` for an
//! apostrophe, as browsers read it) and leave a bare `&` in links. Feed
//! readers read such feeds, so herald does too: a named entity that HTML
//! knows (html5ever's table of all HTML5 entities) becomes a numeric
//! reference, a reference to a C1 control becomes the windows-1252 character
//! HTML maps it to, and any other `&` that starts no reference becomes
//! `&amp;`. CDATA sections and the DOCTYPE are left as they are, and so are
//! entities the DOCTYPE declares.

use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// The XML `text` with its references made well-formed; see the module documentation.
pub(super) fn for_xml(text: &str) -> String {
    let declared = declared_entities(text);
    let text = text.trim_start();
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("<?xml")
            && rest[5..].starts_with(|c: char| c.is_whitespace() || c == '?')
        {
            // The XML declaration must come first; one after a comment (as in
            // many exported feeds) is dropped rather than refusing the feed.
            let end = rest.find("?>").map_or(rest.len(), |i| i + 2);
            if out.trim().is_empty() {
                out.clear();
                out.push_str(&rest[..end]);
            }
            rest = &rest[end..];
            continue;
        }
        if rest.starts_with('<') {
            let end = skip_markup(rest);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let (replacement, used) = reference(rest, &declared);
        out.push_str(&replacement);
        rest = &rest[used..];
    }
    out.push_str(rest);
    out
}

/// How far markup that must be copied unchanged reaches: a CDATA section,
/// a comment or the DOCTYPE whole, any other tag just its `<`.
fn skip_markup(rest: &str) -> usize {
    let until = |end: &str| rest.find(end).map_or(rest.len(), |i| i + end.len());
    if rest.starts_with("<![CDATA[") {
        until("]]>")
    } else if rest.starts_with("<!--") {
        until("-->")
    } else if rest.starts_with("<!DOCTYPE") {
        doctype_end(rest)
    } else {
        1
    }
}

/// The end of a DOCTYPE, past its internal subset (`[...]`) if it has one.
fn doctype_end(rest: &str) -> usize {
    let close = rest.find('>').map_or(rest.len(), |i| i + 1);
    let Some(open) = rest[..close].find('[') else {
        return close;
    };
    let Some(bracket) = rest[open..].find(']') else {
        return rest.len();
    };
    let after = open + bracket;
    rest[after..]
        .find('>')
        .map_or(rest.len(), |i| after + i + 1)
}

/// `text` without its DOCTYPE; `None` when it has none.
pub(super) fn without_doctype(text: &str) -> Option<String> {
    let start = text.find("<!DOCTYPE")?;
    let end = start + doctype_end(&text[start..]);
    Some(format!("{}{}", &text[..start], &text[end..]))
}

/// The names the DOCTYPE's internal subset declares (`<!ENTITY name ...>`).
fn declared_entities(text: &str) -> Vec<String> {
    let Some(start) = text.find("<!DOCTYPE") else {
        return Vec::new();
    };
    let doctype = &text[start..start + doctype_end(&text[start..])];
    doctype
        .split("<!ENTITY")
        .skip(1)
        .filter_map(|decl| decl.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// What to write for the `&` that starts `rest`, and how many bytes it replaces.
fn reference(rest: &str, declared: &[String]) -> (String, usize) {
    let name_end = rest[1..]
        .find(|c: char| {
            !(c.is_ascii_alphanumeric() || c == '#' || c == '_' || c == '-' || c == '.')
        })
        .map_or(rest.len(), |i| i + 1);
    let name = &rest[1..name_end];
    if !rest[name_end..].starts_with(';') || name.is_empty() {
        return ("&amp;".into(), 1);
    }
    let used = name_end + 1;
    let keep = (rest[..used].to_string(), used);
    if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        // Written back in decimal, as XML has no `&#X41;`.
        return match value {
            Some(v @ 0x80..=0x9f) => match C1_REPLACEMENTS[(v - 0x80) as usize] {
                Some(c) => (format!("&#{};", u32::from(c)), used),
                None => (format!("&#{v};"), used),
            },
            Some(v) => (format!("&#{v};"), used),
            None => ("&amp;".into(), 1),
        };
    }
    if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") || declared.iter().any(|d| d == name) {
        return keep;
    }
    match NAMED_ENTITIES.get(format!("{name};").as_str()) {
        Some(&(first, second)) if first != 0 => {
            let mut numeric = format!("&#{first};");
            if second != 0 {
                numeric.push_str(&format!("&#{second};"));
            }
            (numeric, used)
        }
        _ => ("&amp;".into(), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_entities_become_numeric_references() {
        assert_eq!(
            for_xml("<t>caf&eacute; &nbsp; &hellip; &amp; &lt;b&gt; &#246; &#x41;</t>"),
            "<t>caf&#233; &#160; &#8230; &amp; &lt;b&gt; &#246; &#65;</t>"
        );
    }

    #[test]
    fn windows_1252_references_are_read_as_browsers_do() {
        assert_eq!(
            for_xml("it&#146;s &#x93;q&#148;"),
            "it&#8217;s &#8220;q&#8221;"
        );
    }

    #[test]
    fn bare_ampersands_are_escaped() {
        assert_eq!(
            for_xml("<link>http://x.se/?a=1&b=2</link> AT&T &bogus; &"),
            "<link>http://x.se/?a=1&amp;b=2</link> AT&amp;T &amp;bogus; &amp;"
        );
    }

    #[test]
    fn cdata_comments_and_declared_entities_are_left_alone() {
        let xml = "<!DOCTYPE rss [<!ENTITY foo \"bar\">]><!-- a & b --><t>&foo; <![CDATA[&nbsp; & x]]></t>";
        assert_eq!(for_xml(xml), xml);
    }

    #[test]
    fn a_late_xml_declaration_is_dropped() {
        assert_eq!(
            for_xml("<!-- c -->\n<?xml version=\"1.0\"?><rss/>"),
            "<!-- c -->\n<rss/>"
        );
        assert_eq!(
            for_xml("\n <?xml version=\"1.0\"?><rss/>"),
            "<?xml version=\"1.0\"?><rss/>"
        );
    }

    /// The DOCTYPE, which `xml.rs` drops when the parser cannot read it.
    #[test]
    fn without_doctype_removes_it_whole() {
        assert_eq!(
            without_doctype(
                "<?xml version=\"1.0\"?><!DOCTYPE r [\n<!ENTITY % a SYSTEM \"x\">\n%a;\n]>\n<r/>"
            ),
            Some("<?xml version=\"1.0\"?>\n<r/>".to_string())
        );
        assert_eq!(without_doctype("<r/>"), None);
    }
}
