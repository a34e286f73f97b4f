//! Where each imported post goes, given the posts already in the folder.
//!
//! A post whose id is already there goes to that file: unchanged when the
//! text is the same, else kept (or replaced with `--overwrite`). Any other
//! post gets a new file `<date>-<slug>.md`; when the slug or the name is
//! taken, `-2`, `-3`, ... is added, so `herald check` finds no duplicate and
//! no unrelated file is ever touched. A made id (`tag:` URI) uses the final
//! slug, so importing the same source again finds the same ids.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::TimeZone;

use super::draft::Draft;
use crate::content::{self, slug};

/// A post file already in the target folder.
#[derive(Debug, Clone)]
pub(super) struct Existing {
    /// Its file name.
    pub name: PathBuf,
    /// Its id; `None` when the file does not parse.
    pub id: Option<String>,
    /// Its slug.
    pub slug: String,
    /// Its text.
    pub text: String,
}

/// What happens to one imported post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    /// Written to a new file.
    New,
    /// Replaces the file holding the same id (`--overwrite`).
    Replace,
    /// The file holding the same id has exactly this text.
    Unchanged,
    /// The file holding the same id differs and is left alone.
    Kept,
}

impl Action {
    /// The word listed before the file name.
    pub(super) fn word(self) -> &'static str {
        match self {
            Action::New => "new",
            Action::Replace => "replaced",
            Action::Unchanged => "unchanged",
            Action::Kept => "kept",
        }
    }
}

/// One imported post with its place and fate.
#[derive(Debug, Clone)]
pub(super) struct Planned {
    /// The file name in the target folder.
    pub name: PathBuf,
    /// The whole file.
    pub text: String,
    /// What happens to it.
    pub action: Action,
}

/// Plans every draft, oldest first; the messages are about drafts left out.
pub(super) fn plan(
    mut drafts: Vec<Draft>,
    existing: &[Existing],
    host: &str,
    overwrite: bool,
) -> (Vec<Planned>, Vec<String>) {
    drafts.sort_by_key(|d| d.day);
    let by_id: HashMap<&str, &Existing> = existing
        .iter()
        .filter_map(|e| Some((e.id.as_deref()?, e)))
        .collect();
    let mut slugs: HashSet<String> = existing.iter().map(|e| e.slug.clone()).collect();
    let mut names: HashSet<PathBuf> = existing.iter().map(|e| e.name.clone()).collect();
    let mut ids = HashSet::new();
    let mut planned = Vec::new();
    let mut messages = Vec::new();
    for draft in drafts {
        // A slug the source gives is kept when the file name carries it.
        let day = draft.day.format("%Y-%m-%d");
        let base = draft
            .slug
            .clone()
            .filter(|s| slug::from_file_stem(&format!("{day}-{s}")) == *s)
            .unwrap_or_else(|| slug::slugify(&draft.title));
        for n in 1.. {
            let slug = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let id = draft
                .id
                .clone()
                .unwrap_or_else(|| made_id(host, &draft, &slug));
            let name = PathBuf::from(format!("{}-{slug}.md", draft.day.format("%Y-%m-%d")));
            if ids.contains(&id) {
                if draft.id.is_none() {
                    continue;
                }
                messages.push(format!(
                    "{}: id `{id}` appears twice; the second is left out",
                    draft.origin
                ));
                break;
            }
            let text = render(&draft, &id);
            if let Some(found) = by_id.get(id.as_str()) {
                let action = match (found.text == text, overwrite) {
                    (true, _) => Action::Unchanged,
                    (false, true) => Action::Replace,
                    (false, false) => Action::Kept,
                };
                planned.push(Planned {
                    name: found.name.clone(),
                    text,
                    action,
                });
            } else if slugs.contains(&slug) || names.contains(&name) {
                continue;
            } else {
                planned.push(Planned {
                    name: name.clone(),
                    text,
                    action: Action::New,
                });
            }
            ids.insert(id);
            slugs.insert(slug);
            names.insert(name);
            break;
        }
    }
    (planned, messages)
}

/// The id herald itself would give the post: `tag:<host>,<date>:<slug>`.
fn made_id(host: &str, draft: &Draft, slug: &str) -> String {
    let noon = draft
        .day
        .and_hms_opt(12, 0, 0)
        .expect("noon exists on every day");
    content::tag_uri(host, &chrono_tz::UTC.from_utc_datetime(&noon), slug)
}

/// The post file: front matter (title, date, updated, id, author, tags) and body.
pub(super) fn render(draft: &Draft, id: &str) -> String {
    crate::content::frontmatter::NewFront {
        title: &draft.title,
        date: &draft.date,
        updated: draft.updated.as_deref(),
        id,
        author: draft.author.as_deref(),
        tags: (!draft.tags.is_empty()).then_some(draft.tags.as_slice()),
        draft: None,
    }
    .with_body(&draft.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn draft(title: &str, day: u32, id: Option<&str>) -> Draft {
        Draft {
            title: title.into(),
            day: NaiveDate::from_ymd_opt(2013, 9, day).unwrap(),
            date: format!("2013-09-{day:02}"),
            updated: None,
            id: id.map(Into::into),
            slug: None,
            author: None,
            tags: Vec::new(),
            body: "Text.\n".into(),
            origin: format!("line {day}"),
        }
    }

    fn existing(planned: &Planned, id: &str) -> Existing {
        let name = planned.name.to_str().unwrap();
        Existing {
            name: planned.name.clone(),
            id: Some(id.into()),
            slug: slug::from_file_stem(&name[..name.len() - 3]),
            text: planned.text.clone(),
        }
    }

    #[test]
    fn renders_front_matter_and_body() {
        let mut d = draft("Lundens \"förskola\"", 27, None);
        assert_eq!(render(&d, "tag:x,2013-09-27:a"), "+++\ntitle = 'Lundens \"förskola\"'\ndate = \"2013-09-27\"\nid = \"tag:x,2013-09-27:a\"\n+++\n\nText.\n");
        d.tags = vec!["ledarskap".into(), "intern kontroll".into()];
        d.author = Some("Anna".into());
        d.updated = Some("2013-09-28T10:00:00+02:00".into());
        let text = render(&d, "urn:a");
        assert!(text.contains("updated = \"2013-09-28T10:00:00+02:00\"\nid = \"urn:a\"\nauthor = \"Anna\"\ntags = [\"ledarskap\", \"intern kontroll\"]\n+++"), "{text}");
    }

    #[test]
    fn same_titles_get_numbered_slugs_and_ids() {
        let (planned, _) = plan(
            vec![draft("Vecka", 13, None), draft("Vecka", 6, None)],
            &[],
            "x.se",
            false,
        );
        assert_eq!(planned[0].name, PathBuf::from("2013-09-06-vecka.md"));
        assert_eq!(planned[1].name, PathBuf::from("2013-09-13-vecka-2.md"));
        assert!(planned[1]
            .text
            .contains("id = \"tag:x.se,2013-09-13:vecka-2\""));
    }

    #[test]
    fn a_second_import_finds_its_posts() {
        let drafts = vec![draft("Vecka", 13, None), draft("Vecka", 6, None)];
        let (first, _) = plan(drafts.clone(), &[], "x.se", false);
        let there = [
            existing(&first[0], "tag:x.se,2013-09-06:vecka"),
            existing(&first[1], "tag:x.se,2013-09-13:vecka-2"),
        ];
        let (second, _) = plan(drafts, &there, "x.se", false);
        assert!(
            second.iter().all(|p| p.action == Action::Unchanged),
            "{second:?}"
        );
    }

    #[test]
    fn changed_posts_are_kept_unless_overwrite() {
        let (first, _) = plan(vec![draft("A", 6, Some("urn:a"))], &[], "x.se", false);
        let mut there = existing(&first[0], "urn:a");
        there.name = PathBuf::from("renamed.md");
        there.text.push_str("Edited.\n");
        let (kept, _) = plan(
            vec![draft("A", 6, Some("urn:a"))],
            &[there.clone()],
            "x.se",
            false,
        );
        assert_eq!(
            (kept[0].action, kept[0].name.to_str()),
            (Action::Kept, Some("renamed.md"))
        );
        let (replaced, _) = plan(vec![draft("A", 6, Some("urn:a"))], &[there], "x.se", true);
        assert_eq!(replaced[0].action, Action::Replace);
    }

    #[test]
    fn unrelated_files_are_never_touched() {
        let other = Existing {
            name: "2013-09-06-a.md".into(),
            id: None,
            slug: "a".into(),
            text: String::new(),
        };
        let (planned, _) = plan(vec![draft("A", 6, Some("urn:a"))], &[other], "x.se", true);
        assert_eq!(
            (planned[0].action, planned[0].name.to_str()),
            (Action::New, Some("2013-09-06-a-2.md"))
        );
    }

    #[test]
    fn repeated_ids_are_left_out() {
        let (planned, messages) = plan(
            vec![draft("A", 6, Some("urn:a")), draft("B", 7, Some("urn:a"))],
            &[],
            "x",
            false,
        );
        assert_eq!(planned.len(), 1);
        assert_eq!(
            messages,
            ["line 7: id `urn:a` appears twice; the second is left out"]
        );
    }
}
