//! Plain text to Markdown that renders back to the same text, and titles
//! made from a text's first sentence.
//!
//! Line breaks inside a sentence (the next line starts with a lower-case
//! letter) are joined with a space; other line breaks become hard breaks (a
//! trailing `\`). Characters Markdown would act on are escaped, bare URLs
//! become links, and everything else is kept byte for byte.

/// The Markdown for one paragraph given as its lines (none of them blank).
pub(super) fn paragraph(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut start_of_line = true;
    let mut iter = lines
        .iter()
        .map(|l| l.trim_start_matches([' ', '\t']).trim_end())
        .peekable();
    while let Some(line) = iter.next() {
        let inline = inline(line);
        if start_of_line {
            out.push_str(&escape_block_start(&inline));
        } else {
            out.push_str(&inline);
        }
        match iter.peek() {
            Some(next) if next.chars().next().is_some_and(char::is_lowercase) => {
                out.push(' ');
                start_of_line = false;
            }
            Some(_) => {
                out.push_str("\\\n");
                start_of_line = true;
            }
            None => {}
        }
    }
    out
}

/// The Markdown for plain `text`: paragraphs at blank lines.
pub(super) fn paragraphs(text: &str) -> String {
    let mut out = Vec::new();
    let mut lines = Vec::new();
    for line in text.lines().chain([""]) {
        if line.trim().is_empty() {
            if !lines.is_empty() {
                out.push(paragraph(&lines));
                lines.clear();
            }
        } else {
            lines.push(line);
        }
    }
    out.join("\n\n")
}

/// Escapes Markdown inline syntax and turns bare URLs into links.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some((before, url, after)) = find_url(rest) {
        escape_into(&mut out, before);
        if url.starts_with("www.") {
            out.push('[');
            escape_into(&mut out, url);
            out.push_str(&format!("](http://{url})"));
        } else {
            out.push_str(&format!("<{url}>"));
        }
        rest = after;
    }
    escape_into(&mut out, rest);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for (at, c) in text.char_indices() {
        let special = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '~' | '|' => true,
            '&' => looks_like_entity(&text[at + 1..]),
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Whether text after `&` would be read as an entity such as `&amp;` or `&#38;`.
fn looks_like_entity(after: &str) -> bool {
    let name: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !name.is_empty() && after[name.len()..].starts_with(';')
}

/// Splits off the first bare URL (`http://`, `https://` or `www.`) that
/// starts a word: `(before, url, after)`. Trailing punctuation is not part of it.
fn find_url(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(found) = ["https://", "http://", "www."]
        .iter()
        .filter_map(|p| text[from..].find(p))
        .min()
    {
        let start = from + found;
        let word_start = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "(\"'”“«".contains(c));
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '”' | '»'))
            .map_or(text.len(), |i| start + i);
        let url = trim_url(&text[start..end]);
        let has_host = url
            .split("://")
            .last()
            .is_some_and(|rest| rest.contains('.') && !rest.starts_with('.'));
        if word_start && has_host && url.len() > "www.".len() {
            return Some((&text[..start], url, &text[start + url.len()..]));
        }
        from = start + 1;
    }
    None
}

/// Drops punctuation that ends the sentence rather than the URL; keeps a
/// closing bracket that has its opening one inside the URL.
fn trim_url(url: &str) -> &str {
    let mut url = url;
    loop {
        let Some(last) = url.chars().next_back() else {
            return url;
        };
        let unbalanced = last == ')' && url.matches('(').count() < url.matches(')').count();
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '’') || unbalanced {
            url = &url[..url.len() - last.len_utf8()];
        } else {
            return url;
        }
    }
}

/// Escapes what would make a line start a block: a list item, heading,
/// quote, or a setext underline. `*`, `_`, `` ` ``, `~`, `<` and `|` are
/// escaped everywhere already.
fn escape_block_start(line: &str) -> String {
    let first = line.chars().next();
    let second = line.chars().nth(1);
    let space_or_end = |c: Option<char>| c.is_none_or(|c| c == ' ' || c == '\t');
    let needs = match first {
        Some('>') => true,
        Some('-') => space_or_end(second) || line.trim_end().chars().all(|c| c == '-' || c == ' '),
        Some('+') => space_or_end(second),
        Some('=') => line.trim_end().chars().all(|c| c == '='),
        Some('#') => {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            hashes <= 6 && space_or_end(line.chars().nth(hashes))
        }
        _ => false,
    };
    if needs {
        return format!("\\{line}");
    }
    // `1. ` and `1) `: the escape goes before the punctuation (`\1` is no escape).
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let punct = line[digits..].chars().next();
    if (1..=9).contains(&digits)
        && matches!(punct, Some('.' | ')'))
        && space_or_end(line[digits + 1..].chars().next())
    {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line.to_string()
}

/// The first sentence of `text` (line breaks read as spaces): up to the first
/// `.`, `!` or `?` followed by whitespace and then not a lower-case letter, so
/// that `t.ex. kommuner` does not end it.
pub(super) fn first_sentence(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (at, c) in flat.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            let rest = &flat[at + 1..];
            let next_word = rest.trim_start().chars().next();
            if rest.starts_with(' ') && !next_word.is_some_and(char::is_lowercase)
                || rest.is_empty()
            {
                return flat[..=at].to_string();
            }
        }
    }
    flat
}

/// A title from `sentence`, without trailing punctuation: the whole sentence
/// when it has at most `max` characters, else the words that fit in `max - 2`
/// followed by `…`. Straight
/// quotes become `”` (Swedish) with no space after an opening one.
pub(super) fn title(sentence: &str, max: usize) -> String {
    let tidy = tidy_quotes(sentence);
    let strip = |s: &str| {
        s.trim_end_matches(|c: char| c.is_whitespace() || ".,;:!?-–—".contains(c))
            .to_string()
    };
    let whole = strip(&tidy);
    if whole.chars().count() <= max {
        return whole;
    }
    let mut cut = String::new();
    for word in tidy.split(' ') {
        let candidate = if cut.is_empty() {
            word.to_string()
        } else {
            format!("{cut} {word}")
        };
        if strip(&candidate).chars().count() + 2 > max {
            break;
        }
        cut = candidate;
    }
    if cut.is_empty() {
        cut = tidy.chars().take(max.saturating_sub(2).max(1)).collect();
    }
    format!("{}…", strip(&cut))
}

fn tidy_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            let opening = out.chars().next_back().is_none_or(char::is_whitespace);
            out.push('”');
            while opening && chars.peek() == Some(&' ') {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
