//! Plain text for the `text/plain` part: post HTML as readable text with its
//! links listed, and every line wrapped at 78 columns (RFC 5322's advice).

/// The column plain-text lines are wrapped at.
pub(crate) const WIDTH: usize = 78;

/// Post HTML as plain text, wrapped at [`WIDTH`], links listed as numbered
/// references below the text.
pub(crate) fn from_html(html: &str) -> String {
    let text = html2text::config::plain()
        .link_footnotes(true)
        .string_from_read(html.as_bytes(), WIDTH)
        // Only fails on a writer error or a width too small for the content.
        .unwrap_or_else(|_| html.to_string());
    text.trim_end().to_string()
}

/// Wraps every line longer than `width` characters at spaces, keeping the
/// line's indentation. Words longer than a line (URLs) are never broken, so
/// links stay clickable.
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    for line in text.lines() {
        wrap_line(line.trim_end(), width, &mut out);
    }
    out
}

fn wrap_line(line: &str, width: usize, out: &mut String) {
    if line.chars().count() <= width {
        out.push_str(line);
        out.push('\n');
        return;
    }
    let indent = &line[..line.len() - line.trim_start().len()];
    let mut current = String::from(indent);
    let mut current_len = indent.chars().count();
    for word in line.split_whitespace() {
        let len = word.chars().count();
        if current_len > indent.len() && current_len + 1 + len > width {
            out.push_str(&current);
            out.push('\n');
            current = String::from(indent);
            current_len = indent.chars().count();
        }
        if current_len > indent.len() {
            current.push(' ');
            current_len += 1;
        }
        current.push_str(word);
        current_len += len;
    }
    out.push_str(&current);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_and_keep_indentation() {
        let line = format!("  {}", "ordet ".repeat(30));
        let out = wrap(&line, 78);
        assert!(out.lines().count() > 1);
        for l in out.lines() {
            assert!(l.chars().count() <= 78, "{l}");
            assert!(l.starts_with("  "), "{l}");
        }
    }

    #[test]
    fn urls_are_never_broken_and_short_lines_stay() {
        let url = format!("https://example.se/{}", "a".repeat(90));
        let out = wrap(&format!("Läs mer: {url}\nkort"), 78);
        assert_eq!(out, format!("Läs mer:\n{url}\nkort\n"));
    }

    #[test]
    fn html_becomes_text_with_links_listed() {
        let out = from_html(r#"<p>Se <a href="https://example.se/a/">sidan</a> &amp; mer.</p>"#);
        assert!(out.contains("sidan"), "{out}");
        assert!(out.contains("https://example.se/a/"), "{out}");
        assert!(!out.contains("&amp;"), "{out}");
        assert!(!out.contains("<p>"), "{out}");
    }
}
