//! Writing YAML by hand, safely: any string — a column name, an allowed
//! value, a path — becomes a scalar that reads back as exactly that string
//! through verdict's own loader, including its `${VAR}` interpolation
//! (`${` is written `$${`). Plain when unambiguous, double-quoted with
//! escapes otherwise. Also comment text and shell words for the header.
//! Used by every command that writes a suite (`profile`, `import`).

/// Words a YAML reader may take for something other than a string (YAML
/// 1.1 booleans included: the suite may be read by other tools too).
const RESERVED: [&str; 12] = [
    "true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf", "infinity",
];

/// A YAML scalar reading back as `s`.
pub fn scalar(s: &str) -> String {
    with_variables(&s.replace("${", "$${"))
}

/// A YAML scalar whose `${VAR}` the loader replaces with the variable's
/// value (a credential in a database URL); `$${` stays a literal `${`.
pub fn with_variables(s: &str) -> String {
    if is_plain(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// A conservative plain scalar: an identifier-like word, dots, dashes and
/// slashes inside, and not a word YAML gives a meaning to.
fn is_plain(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !s.ends_with(['.', '-', '/'])
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let n = c as u32;
                if n <= 0xFF {
                    out.push_str(&format!("\\x{n:02X}"));
                } else if n <= 0xFFFF {
                    out.push_str(&format!("\\u{n:04X}"));
                } else {
                    out.push_str(&format!("\\U{n:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters YAML does not allow printed, or that editors mangle (line
/// and paragraph separators, the byte-order mark).
fn needs_escape(c: char) -> bool {
    let n = c as u32;
    n < 0x20
        || (0x7F..=0xA0).contains(&n)
        || n == 0x2028
        || n == 0x2029
        || n == 0xFEFF
        || n == 0xFFFE
        || n == 0xFFFF
}

/// Text safe inside a `#` comment: one line, control characters escaped.
pub fn comment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if needs_escape(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A word as a POSIX shell reads it, for the command line in the header.
pub fn shell_word(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::yaml::{parse, Kind};

    /// What verdict's loader reads back from `key: <scalar>` and `- <scalar>`
    /// inside a flow list.
    fn read_back(s: &str) -> (Kind, Kind) {
        let doc = format!("{}: [{}]\n", scalar(s), scalar(s));
        let root = parse(&doc).unwrap_or_else(|e| panic!("{doc:?}: {}", e[0].message));
        let Kind::Map(m) = root.kind else { panic!() };
        let Kind::Seq(items) = &m[0].1.kind else {
            panic!()
        };
        (m[0].0.kind.clone(), items[0].kind.clone())
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        let tricky = [
            "id",
            "order_id",
            "Price (EUR)",
            "a\"b",
            "x; drop table t",
            "prénom",
            "",
            " ",
            " lead",
            "trail ",
            "true",
            "True",
            "FALSE",
            "yes",
            "No",
            "on",
            "y",
            "null",
            "Null",
            "~",
            "nan",
            "NaN",
            ".nan",
            "inf",
            "-.inf",
            "Infinity",
            "1",
            "01",
            "-1",
            "+1",
            "1.5",
            "1e5",
            "0x1F",
            "0o17",
            "1_000",
            "2026-01-01",
            "-",
            "--",
            "- a",
            "? x",
            ": x",
            "a: b",
            "a:b",
            "a #b",
            "#x",
            "@x",
            "`x",
            "!x",
            "&x",
            "*x",
            "|",
            ">",
            "%x",
            "[",
            "]",
            "{",
            "}",
            ",",
            "a,b",
            "'",
            "''",
            "\\",
            "\\n",
            "line\nbreak",
            "tab\t",
            "cr\r",
            "nul\0",
            "bell\u{7}",
            "del\u{7f}",
            "nel\u{85}",
            "nbsp\u{a0}",
            "ls\u{2028}",
            "bom\u{feff}",
            "emoji 🦀",
            "${HOME}",
            "$${HOME}",
            "$$${X}",
            "cost $5",
            "a$",
            "${",
            "fixtures/features.parquet",
            "data/*.parquet",
            "a/",
            "a.",
            "é",
            "FR",
        ];
        for s in tricky {
            let want = Kind::Str(s.to_string());
            assert_eq!(
                read_back(s),
                (want.clone(), want),
                "{s:?} written as {}",
                scalar(s)
            );
        }
    }

    #[test]
    fn plain_when_unambiguous() {
        assert_eq!(scalar("order_id"), "order_id");
        assert_eq!(
            scalar("fixtures/features.parquet"),
            "fixtures/features.parquet"
        );
        assert_eq!(scalar("FR"), "FR");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("01"), "\"01\"");
        assert_eq!(scalar("Price (EUR)"), "\"Price (EUR)\"");
        assert_eq!(scalar("a\"b"), r#""a\"b""#);
        assert_eq!(scalar("${X}"), "\"$${X}\"");
        assert_eq!(scalar("a\u{7}"), r#""a\x07""#);
    }

    #[test]
    fn comments_and_shell_words() {
        assert_eq!(comment("a\nb"), "a\\nb");
        assert_eq!(shell_word("fixtures/x.parquet"), "fixtures/x.parquet");
        assert_eq!(shell_word("data/*.parquet"), "'data/*.parquet'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
