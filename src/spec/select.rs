//! `--select`, `--exclude` and `--check`: which parts of the suites a run
//! evaluates. Selectors are `tag:T` (a check's tags and its source's),
//! `source:S`, `check:NAME` (or `check:SOURCE.NAME`), and the words
//! `diff`, `drift`, `bench` and `compare` for those sections. A check or
//! section runs when some `--select` picks it (every one does without
//! `--select`) and no `--exclude` does. A selector that picks nothing is
//! an error, as is a selection that leaves nothing to run: a typo must
//! never shrink a gate into a vacuous pass.

use std::fmt;

use super::diag::closest;
use super::{Check, Suite};

/// What a selector names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Tag(String),
    Source(String),
    Check(String),
    Part(Part),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Diff,
    Drift,
    Bench,
    Compare,
}

impl Part {
    const ALL: [(&'static str, Part); 4] = [
        ("diff", Part::Diff),
        ("drift", Part::Drift),
        ("bench", Part::Bench),
        ("compare", Part::Compare),
    ];
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Tag(t) => write!(f, "tag:{t}"),
            Selector::Source(s) => write!(f, "source:{s}"),
            Selector::Check(c) => write!(f, "check:{c}"),
            Selector::Part(p) => {
                let name = Part::ALL.iter().find(|(_, x)| x == p).expect("listed").0;
                f.write_str(name)
            }
        }
    }
}

/// Why `tag` cannot be a tag, if it cannot.
pub fn tag_problem(tag: &str) -> Option<String> {
    let ok = !tag.is_empty()
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
    (!ok).then(|| {
        format!(
            "tag {tag:?} is not a word: a tag is letters, digits, `_`, `-`, `.` and `/` (so that `--select tag:…` can name it)"
        )
    })
}

impl Selector {
    /// `tag:critical`, `source:orders`, `check:price.null_rate`, `diff`.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let text = text.trim();
        if let Some((_, p)) = Part::ALL.iter().find(|(n, _)| *n == text) {
            return Ok(Selector::Part(*p));
        }
        let (kind, value) = text.split_once(':').ok_or_else(|| {
            format!(
                "`{text}` is not a selector: write `tag:NAME`, `source:NAME`, `check:NAME`, or `diff`, `drift`, `bench`, `compare`"
            )
        })?;
        if value.is_empty() {
            return Err(format!("`{text}` names nothing after `{kind}:`"));
        }
        let value = value.to_string();
        match kind {
            "tag" => Ok(Selector::Tag(value)),
            "source" => Ok(Selector::Source(value)),
            "check" => Ok(Selector::Check(value)),
            other => Err(format!(
                "`{other}:` is not a kind of selector; {}",
                match closest(other, ["tag", "source", "check"]) {
                    Some(c) => format!("did you mean `{c}:`?"),
                    None => "use `tag:`, `source:` or `check:`".into(),
                }
            )),
        }
    }
}

/// One item of a suite a selector may pick.
enum Item<'a> {
    Check {
        source: &'a str,
        source_tags: &'a [String],
        check: &'a Check,
    },
    /// A section (diff, drift, bench, compare) and the sources it reads.
    Section {
        part: Part,
        sources: Vec<(&'a str, &'a [String])>,
    },
}

impl Item<'_> {
    fn picked_by(&self, s: &Selector) -> bool {
        match (self, s) {
            (
                Item::Check {
                    source_tags, check, ..
                },
                Selector::Tag(t),
            ) => check.tags.contains(t) || source_tags.contains(t),
            (Item::Check { source, .. }, Selector::Source(n)) => source == n,
            (Item::Check { source, check, .. }, Selector::Check(n)) => {
                *n == check.name || *n == format!("{source}.{}", check.name)
            }
            (Item::Check { .. }, Selector::Part(_)) => false,
            (Item::Section { part, .. }, Selector::Part(p)) => part == p,
            (Item::Section { sources, .. }, Selector::Tag(t)) => {
                sources.iter().any(|(_, tags)| tags.contains(t))
            }
            (Item::Section { sources, .. }, Selector::Source(n)) => {
                sources.iter().any(|(name, _)| name == n)
            }
            (Item::Section { .. }, Selector::Check(_)) => false,
        }
    }
}

/// The `--select`, `--exclude` and `--check` of a run.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Selection {
    #[serde(serialize_with = "texts")]
    pub select: Vec<Selector>,
    #[serde(serialize_with = "texts")]
    pub exclude: Vec<Selector>,
}

fn texts<S: serde::Serializer>(v: &[Selector], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|x| x.to_string()))
}

impl Selection {
    /// From the command line; `None` when it selects everything.
    /// `--check NAME` is `--select check:NAME`.
    pub fn parse(
        select: &[String],
        exclude: &[String],
        checks: &[String],
    ) -> Result<Option<Selection>, String> {
        let parse_all = |flag: &str, v: &[String]| -> Result<Vec<Selector>, String> {
            v.iter()
                .map(|t| Selector::parse(t).map_err(|e| format!("{flag}: {e}")))
                .collect()
        };
        let mut sel = Selection {
            select: parse_all("--select", select)?,
            exclude: parse_all("--exclude", exclude)?,
        };
        for c in checks {
            if c.trim().is_empty() {
                return Err("--check: the check's name is empty".into());
            }
            sel.select.push(Selector::Check(c.trim().to_string()));
        }
        if sel.select.is_empty() && sel.exclude.is_empty() {
            return Ok(None);
        }
        Ok(Some(sel))
    }

    /// The shown form: `--select tag:critical --exclude source:legacy`.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        for s in &self.select {
            parts.push(format!("--select {s}"));
        }
        for s in &self.exclude {
            parts.push(format!("--exclude {s}"));
        }
        parts.join(" ")
    }

    fn keeps(&self, item: &Item) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| item.picked_by(s)))
            && !self.exclude.iter().any(|s| item.picked_by(s))
    }

    /// The suites cut down to what the selection keeps; suites it keeps
    /// nothing of are left out. `Err`: a selector that picks nothing in
    /// any suite, or nothing left to run.
    pub fn apply(&self, suites: Vec<Suite>) -> Result<Vec<Suite>, String> {
        for s in self.select.iter().chain(&self.exclude) {
            let picks = suites
                .iter()
                .any(|suite| items(suite).iter().any(|i| i.picked_by(s)));
            if !picks {
                let flag = if self.select.contains(s) {
                    "--select"
                } else {
                    "--exclude"
                };
                return Err(format!(
                    "`{flag} {s}` matches nothing in {}{}",
                    files(&suites),
                    known(&suites, s)
                ));
            }
        }
        let mut out = Vec::new();
        for mut suite in suites {
            // `items` lists checks block by block, then the diff, the
            // bench, the comparison and each drift: the order undone here.
            let kept: Vec<bool> = items(&suite).iter().map(|i| self.keeps(i)).collect();
            let mut keep = kept.into_iter().map(Some).chain(std::iter::repeat(None));
            let mut next = move || keep.next().flatten().unwrap_or(false);
            for block in &mut suite.checks {
                block.checks.retain(|_| next());
            }
            suite.checks.retain(|b| !b.checks.is_empty());
            if suite.diff.is_some() && !next() {
                suite.diff = None;
            }
            if suite.bench.is_some() && !next() {
                suite.bench = None;
            }
            if suite.compare.is_some() && !next() {
                suite.compare = None;
            }
            suite.drift.retain(|_| next());
            let anything = !suite.checks.is_empty()
                || suite.diff.is_some()
                || suite.bench.is_some()
                || suite.compare.is_some()
                || !suite.drift.is_empty();
            if anything {
                out.push(suite);
            }
        }
        if out.is_empty() {
            return Err(format!("`{}` leaves nothing to run", self.text()));
        }
        Ok(out)
    }
}

/// Every item of a suite, for matching selectors.
fn items(suite: &Suite) -> Vec<Item<'_>> {
    let tags = |name: &str| -> &[String] {
        match suite.source(name) {
            Some(s) => s.tags.as_slice(),
            None => &[],
        }
    };
    let mut out = Vec::new();
    for block in &suite.checks {
        for check in &block.checks {
            out.push(Item::Check {
                source: &block.source,
                source_tags: tags(&block.source),
                check,
            });
        }
    }
    fn section<'a>(
        part: Part,
        names: Vec<&'a str>,
        tags: impl Fn(&'a str) -> &'a [String],
    ) -> Item<'a> {
        Item::Section {
            part,
            sources: names.into_iter().map(|n| (n, tags(n))).collect(),
        }
    }
    if let Some(d) = &suite.diff {
        out.push(section(Part::Diff, vec![&d.baseline, &d.candidate], tags));
    }
    if suite.bench.is_some() {
        out.push(section(Part::Bench, vec![], tags));
    }
    if let Some(c) = &suite.compare {
        out.push(section(
            Part::Compare,
            c.sources.iter().map(String::as_str).collect(),
            tags,
        ));
    }
    for d in &suite.drift {
        out.push(section(Part::Drift, vec![&d.source], tags));
    }
    out
}

fn files(suites: &[Suite]) -> String {
    match suites {
        [one] => format!("`{}`", one.file),
        many => format!("{} suites", many.len()),
    }
}

/// What a selector of the same kind could have named: `; its tags:
/// critical, pii` or `did you mean …`.
fn known(suites: &[Suite], s: &Selector) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        if !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    };
    let what = match s {
        Selector::Tag(_) => {
            for suite in suites {
                for src in &suite.sources {
                    src.tags.iter().for_each(|t| add(t));
                }
                for b in &suite.checks {
                    b.checks.iter().flat_map(|c| &c.tags).for_each(|t| add(t));
                }
            }
            "tags"
        }
        Selector::Source(_) => {
            for suite in suites {
                suite.sources.iter().for_each(|src| add(&src.name));
            }
            "sources"
        }
        Selector::Check(_) => {
            for suite in suites {
                for b in &suite.checks {
                    b.checks.iter().for_each(|c| add(&c.name));
                }
            }
            "checks"
        }
        Selector::Part(_) => "sections",
    };
    if let Selector::Part(_) = s {
        return " (it has no such section)".into();
    }
    let value = match s {
        Selector::Tag(v) | Selector::Source(v) | Selector::Check(v) => v.as_str(),
        Selector::Part(_) => "",
    };
    if names.is_empty() {
        return format!(" (it has no {what})");
    }
    let hint = match closest(value, names.iter().map(String::as_str)) {
        Some(c) => format!("did you mean `{c}`? "),
        None => String::new(),
    };
    let mut shown: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
    if names.len() > 12 {
        shown.push(format!("… {} more", names.len() - 12));
    }
    format!(" ({hint}its {what}: {})", shown.join(", "))
}
