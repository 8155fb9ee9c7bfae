//! Suite diagnostics: a message, the line and column it points at, and an
//! optional hint. Rendered like a compiler error with the offending source
//! line underneath, so a user can fix a suite without opening it first.
//! Output is plain text (no colour), identical on a TTY and in a CI log.

use std::fmt::Write as _;

/// A 1-based line and column in the suite file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub message: String,
    pub pos: Pos,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, pos: Pos) -> Self {
        Diagnostic {
            message: message.into(),
            pos,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Renders the diagnostic against the suite text:
    ///
    /// ```text
    /// error: unknown check `nul_rate`
    ///   --> suite.yml:9:11
    ///    |
    ///  9 |         - nul_rate: { max: 0.01 }
    ///    |           ^
    ///    = help: did you mean `null_rate`?
    /// ```
    pub fn render(&self, file: &str, text: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "error: {}", self.message);
        if self.pos.line == 0 {
            let _ = writeln!(out, "  --> {file}");
        } else {
            let _ = writeln!(out, "  --> {}:{}:{}", file, self.pos.line, self.pos.col);
        }
        let line = match self.pos.line {
            0 => None,
            n => text.lines().nth(n - 1),
        };
        if let Some(line) = line {
            let num = self.pos.line.to_string();
            let pad = " ".repeat(num.len());
            let caret_at: usize = line
                .chars()
                .take(self.pos.col.saturating_sub(1))
                .map(|c| if c == '\t' { 4 } else { 1 })
                .sum();
            let _ = writeln!(out, "{pad} |");
            let shown =
                super::storage::mask_secret_options(&crate::database::dburl::mask_passwords(line))
                    .replace('\t', "    ");
            let (shown, caret_at) = window(&shown, caret_at);
            let _ = writeln!(out, "{num} | {shown}");
            let _ = writeln!(out, "{pad} | {}^", " ".repeat(caret_at));
            if let Some(h) = &self.help {
                let _ = writeln!(out, "{pad} = help: {h}");
            }
        } else if let Some(h) = &self.help {
            let _ = writeln!(out, "  = help: {h}");
        }
        out
    }
}

/// At most [`MAX_QUOTED`] characters of a long line, around the caret,
/// with `…` where it was cut; and where the caret falls in what is shown.
fn window(line: &str, caret: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_QUOTED {
        return (line.to_string(), caret);
    }
    let start = caret
        .saturating_sub(MAX_QUOTED / 3)
        .min(chars.len() - MAX_QUOTED);
    let end = start + MAX_QUOTED;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret - start + usize::from(start > 0))
}

/// The longest suite line a diagnostic quotes whole.
const MAX_QUOTED: usize = 120;

/// The closest candidate to `got`, if one is close enough to be a likely typo.
pub fn closest<'a>(got: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let got_l = got.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&got_l, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(got.chars().count()) / 3).max(2))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" or, with no close name, the list of valid names.
pub fn suggest(got: &str, candidates: &[&str]) -> String {
    match closest(got, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!(
            "expected one of: {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names() {
        let names = ["null_rate", "null_count", "nan_rate", "min", "max"];
        assert_eq!(closest("nul_rate", names), Some("null_rate"));
        assert_eq!(closest("NULL_RATE", names), Some("null_rate"));
        assert_eq!(closest("completely_else", names), None);
        assert_eq!(closest("mni", names), Some("min"));
    }

    #[test]
    fn long_lines_are_quoted_around_the_caret() {
        let line = format!("q: \"{}\"", "x OR ".repeat(100));
        let r = Diagnostic::new("deep", Pos::new(1, 4)).render("s.yml", &line);
        let quoted = r.lines().nth(3).unwrap();
        assert_eq!(quoted, format!("1 | {}…", &line[..120]));
        assert_eq!(r.lines().nth(4).unwrap(), "  |    ^");
        let r = Diagnostic::new("deep", Pos::new(1, 300)).render("s.yml", &line);
        let quoted = r.lines().nth(3).unwrap();
        assert_eq!(quoted.chars().count(), 4 + 1 + 120 + 1);
        let caret = r.lines().nth(4).unwrap().find('^').unwrap();
        assert_eq!(
            quoted.chars().nth(caret).unwrap(),
            line.chars().nth(299).unwrap()
        );
    }

    #[test]
    fn render_points_at_column() {
        let d = Diagnostic::new("bad", Pos::new(2, 5)).with_help("fix it");
        let r = d.render("s.yml", "a: 1\nbb: xyz\n");
        assert_eq!(
            r,
            "error: bad\n  --> s.yml:2:5\n  |\n2 | bb: xyz\n  |     ^\n  = help: fix it\n"
        );
    }
}
