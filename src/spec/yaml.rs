//! The YAML layer of suite loading: parses text into an owned tree whose
//! every node knows its line and column, and applies `${VAR}` interpolation
//! to string scalars on the way. Everything above this module works on
//! [`Node`], never on the YAML crate's types, so the crate can be swapped.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::diag::{Diagnostic, Pos};

/// One YAML node with its position in the suite file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// Integers beyond 64 bits stay exact: `18446744073709551615` is not a
    /// float.
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys are kept in file order; duplicate keys are rejected by the parser.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// What the node is, in the words a user would use ("a string", "a list").
    pub fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Null => "nothing (null)",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The key text of a mapping key, whatever scalar it was written as
    /// (`1:` and `true:` are keys too; a column may be named `1`).
    pub fn key_text(&self) -> String {
        match &self.kind {
            Kind::Str(s) => s.clone(),
            Kind::Int(i) => i.to_string(),
            Kind::Float(f) => f.to_string(),
            Kind::Bool(b) => b.to_string(),
            Kind::Null => "null".to_string(),
            Kind::Seq(_) | Kind::Map(_) => String::new(),
        }
    }
}

/// The node as JSON: mapping keys become their text ([`Node::key_text`]),
/// positions are dropped. For tools that speak JSON, such as validating a
/// suite against the JSON Schema of `json_schema`. JSON has no NaN or
/// infinity, so those floats become the strings `.nan`, `.inf` and `-.inf`
/// (as YAML writes them), which no numeric schema accepts.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Int(i) => i64::try_from(*i)
            .map(Value::from)
            .or_else(|_| u64::try_from(*i).map(Value::from))
            .unwrap_or_else(|_| Value::from(*i as f64)),
        Kind::Float(f) => serde_json::Number::from_f64(*f).map_or_else(
            || {
                let text = if f.is_nan() {
                    ".nan"
                } else if *f > 0.0 {
                    ".inf"
                } else {
                    "-.inf"
                };
                Value::from(text)
            },
            Value::Number,
        ),
        Kind::Str(s) => Value::from(s.as_str()),
        Kind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Kind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.key_text(), to_json(v)))
                .collect(),
        ),
    }
}

/// Parses a whole suite file. A syntax error is returned alone (nothing else
/// can be trusted after it); interpolation errors are all collected.
pub fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    parse_document(text, true)
}

/// Parses one YAML document of another tool (an Open Data Contract): its
/// strings are kept as written, `${…}` included.
pub fn parse_verbatim(text: &str) -> Result<Node, Vec<Diagnostic>> {
    parse_document(text, false)
}

fn parse_document(text: &str, interpolating: bool) -> Result<Node, Vec<Diagnostic>> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        let m = e.marker();
        vec![Diagnostic::new(
            format!("malformed YAML: {}", e.info()),
            Pos::new(m.line(), m.col() + 1),
        )]
    })?;
    let mut diags = Vec::new();
    let root = match docs.len() {
        0 => Node {
            pos: Pos::new(1, 1),
            kind: Kind::Null,
        },
        1 => {
            let chars: Vec<char> = text.chars().collect();
            let mut c = Converter {
                text: &chars,
                diags: &mut diags,
                interpolating,
            };
            c.convert(&docs[0])
        }
        _ => {
            let p = &docs[1].span.start;
            return Err(vec![Diagnostic::new(
                "a suite file holds one YAML document; found a second one",
                Pos::new(p.line(), p.col() + 1),
            )]);
        }
    };
    if diags.is_empty() {
        Ok(root)
    } else {
        Err(diags)
    }
}

struct Converter<'a> {
    text: &'a [char],
    diags: &'a mut Vec<Diagnostic>,
    interpolating: bool,
}

impl Converter<'_> {
    fn string(&mut self, s: &str, pos: Pos) -> Kind {
        match self.interpolating {
            true => Kind::Str(interpolate(s, pos, self.diags)),
            false => Kind::Str(s.to_string()),
        }
    }

    fn convert(&mut self, y: &MarkedYaml<'_>) -> Node {
        let pos = Pos::new(y.span.start.line(), y.span.start.col() + 1);
        let kind = match &y.data {
            YamlData::Value(s) => match s {
                Scalar::Null => Kind::Null,
                Scalar::Boolean(b) => Kind::Bool(*b),
                Scalar::Integer(i) => Kind::Int(i128::from(*i)),
                // The YAML crate reads an integer beyond i64 as a float; the
                // text as written says what it was.
                Scalar::FloatingPoint(f) => self
                    .text
                    .get(y.span.start.index()..y.span.end.index())
                    .and_then(|t| wide_integer(&t.iter().collect::<String>()))
                    .map_or(Kind::Float(f.into_inner()), Kind::Int),
                Scalar::String(s) => self.string(s, pos),
            },
            YamlData::Representation(s, _, _) => self.string(s, pos),
            YamlData::Sequence(items) => Kind::Seq(items.iter().map(|i| self.convert(i)).collect()),
            YamlData::Mapping(map) => Kind::Map(
                map.iter()
                    .map(|(k, v)| (self.convert(k), self.convert(v)))
                    .collect(),
            ),
            YamlData::Tagged(_, inner) => return self.convert(inner),
            YamlData::Alias(_) | YamlData::BadValue => {
                self.diags.push(Diagnostic::new(
                    "YAML aliases and unresolvable values are not supported in suites",
                    pos,
                ));
                Kind::Null
            }
        };
        Node { pos, kind }
    }
}

/// A decimal integer literal (`-170141183460469231731687303715884105728`
/// up to i128's maximum), as YAML 1.2 writes one.
fn wide_integer(t: &str) -> Option<i128> {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// Replaces `${NAME}` with the environment variable's value; `$${` stands for a
/// literal `${`. A variable that is not set is an error naming it: silently
/// substituting an empty string would turn a credential typo into a wrong run.
pub fn interpolate(s: &str, pos: Pos, diags: &mut Vec<Diagnostic>) -> String {
    interpolate_with(s, pos, diags, |k| std::env::var(k).ok())
}

fn interpolate_with(
    s: &str,
    pos: Pos,
    diags: &mut Vec<Diagnostic>,
    lookup: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            match after.find('}') {
                Some(end) => {
                    let name = &after[..end];
                    match lookup(name) {
                        Some(v) => out.push_str(&v),
                        None => diags.push(
                            Diagnostic::new(
                                format!("environment variable `{name}` is not set"),
                                pos,
                            )
                            .with_help(format!(
                                "export {name}=… before running, or write `$${{{name}}}` for a literal `${{`"
                            )),
                        ),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    diags.push(Diagnostic::new("unterminated `${` in string", pos));
                    rest = "";
                }
            }
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interp(s: &str) -> (String, Vec<String>) {
        let mut d = Vec::new();
        let out = interpolate_with(s, Pos::new(1, 1), &mut d, |k| {
            (k == "USER").then(|| "ana".to_string())
        });
        (out, d.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn interpolation_cases() {
        assert_eq!(interp("pg://${USER}@h"), ("pg://ana@h".into(), vec![]));
        assert_eq!(interp("cost $5"), ("cost $5".into(), vec![]));
        assert_eq!(interp("$${USER}"), ("${USER}".into(), vec![]));
        assert_eq!(
            interp("${NOPE}x"),
            (
                "x".into(),
                vec!["environment variable `NOPE` is not set".into()]
            )
        );
        assert_eq!(
            interp("a${USER"),
            ("a".into(), vec!["unterminated `${` in string".into()])
        );
    }

    #[test]
    fn positions_are_one_based() {
        let n = parse("a:\n  b: 1\n").unwrap();
        let Kind::Map(m) = &n.kind else { panic!() };
        let Kind::Map(inner) = &m[0].1.kind else {
            panic!()
        };
        assert_eq!(inner[0].0.pos, Pos::new(2, 3));
    }

    #[test]
    fn to_json_keeps_order_and_key_text() {
        let n = parse("b: [1, 2.5, x, true, ~]\n1: .nan\n").unwrap();
        assert_eq!(
            to_json(&n).to_string(),
            r#"{"b":[1,2.5,"x",true,null],"1":".nan"}"#
        );
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(
            e[0].message.starts_with("malformed YAML"),
            "{}",
            e[0].message
        );
    }
}
