//! The layering docs/architecture.md promises, checked on the source: the
//! file-level dependency graph of `src/` has no cycle, and nothing but the
//! command layer (`app`) depends on `run`.
//!
//! An edge A → B means a file A names an item (type, function, constant)
//! that file B defines. Paths are followed through `pub use` re-exports to
//! the defining file, so a module's facade (`mod.rs` re-exporting its
//! children) is not an edge in itself; `mod` declarations are not edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A file's module path (`["report", "html"]`) and what it holds.
struct File {
    module: Vec<String>,
    /// Items the file defines.
    defines: BTreeSet<String>,
    /// `use` paths, expanded, with whether they are `pub use`.
    uses: Vec<(Vec<String>, bool)>,
    /// `crate::…` and `super::…` paths written inline.
    paths: Vec<Vec<String>>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn module_of(root: &Path, p: &Path) -> Vec<String> {
    let rel = p.strip_prefix(root).unwrap().with_extension("");
    let mut m: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(m.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        m.pop();
    }
    m
}

/// The code of a file without its tests, comments and string contents.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut in_str, mut in_comment) = (false, false);
    while let Some(c) = chars.next() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                out.push('\n');
            }
        } else if in_str {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_str = false;
                out.push('"');
            }
        } else if c == '/' && chars.peek() == Some(&'/') {
            in_comment = true;
        } else if c == '"' && !out.ends_with('\'') {
            in_str = true;
            out.push('"');
        } else {
            out.push(c);
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A `use` body on one line, spaces only where they separate words
/// (`x as y`).
fn tidy(body: &str) -> String {
    let one: Vec<&str> = body.split_whitespace().collect();
    let mut s = one.join(" ");
    for sep in ["::", "{", "}", ","] {
        s = s
            .replace(&format!(" {sep}"), sep)
            .replace(&format!("{sep} "), sep);
    }
    s
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let Some(open) = path.find("::{") else {
        return vec![path.to_string()];
    };
    let (prefix, inner) = (&path[..open], &path[open + 3..path.len() - 1]);
    let mut parts = Vec::new();
    let (mut depth, mut cur) = (0, String::new());
    for c in inner.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&p))
        .map(|p| {
            if p == "self" {
                prefix.to_string()
            } else {
                format!("{prefix}::{p}")
            }
        })
        .collect()
}

fn parse(module: Vec<String>, text: &str) -> File {
    let code = code(text);
    let mut defines = BTreeSet::new();
    let words: Vec<&str> = code
        .split(|c: char| !is_ident(c) && c != '!')
        .filter(|w| !w.is_empty())
        .collect();
    for w in words.windows(2) {
        if matches!(
            w[0],
            "struct" | "enum" | "fn" | "const" | "static" | "type" | "trait" | "macro_rules!"
        ) {
            defines.insert(w[1].to_string());
        }
    }
    let mut uses = Vec::new();
    for (i, _) in code.match_indices("use ") {
        let before = code[..i].trim_end();
        if before.ends_with(|c: char| is_ident(c))
            && !before.ends_with("pub")
            && !before.ends_with(')')
        {
            continue;
        }
        let public = before.ends_with("pub") || before.ends_with(')');
        let end = i + code[i..].find(';').unwrap();
        let body = tidy(&code[i + 4..end]);
        for p in expand(&body) {
            let p = p.split(" as ").next().unwrap();
            uses.push((p.split("::").map(String::from).collect(), public));
        }
    }
    let mut paths = Vec::new();
    for start in ["crate::", "super::"] {
        for (i, _) in code.match_indices(start) {
            if code[..i].ends_with(|c: char| is_ident(c) || c == ':') {
                continue;
            }
            let rest = &code[i..];
            let end = rest
                .find(|c: char| !(is_ident(c) || c == ':'))
                .unwrap_or(rest.len());
            let p: Vec<String> = rest[..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            paths.push(p);
        }
    }
    File {
        module,
        defines,
        uses,
        paths,
    }
}

struct Crate {
    files: BTreeMap<PathBuf, File>,
    by_module: BTreeMap<Vec<String>, PathBuf>,
}

impl Crate {
    /// A written path as an absolute module path, or None (an external crate).
    fn absolute(&self, from: &File, segs: &[String]) -> Option<Vec<String>> {
        let first = segs.first()?.as_str();
        let mut base = from.module.clone();
        match first {
            "crate" => Some(segs[1..].to_vec()),
            "self" => {
                base.extend_from_slice(&segs[1..]);
                Some(base)
            }
            "super" => {
                let mut rest = segs;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend_from_slice(rest);
                Some(base)
            }
            _ => {
                let mut child = base.clone();
                child.push(first.to_string());
                if self.by_module.contains_key(&child) {
                    base.extend_from_slice(segs);
                    Some(base)
                } else {
                    None
                }
            }
        }
    }

    /// The file that defines what `segs` names, following re-exports. When
    /// the item is not found, the module's own file (`strict`: None, as a
    /// glob re-export that does not hold the item).
    fn resolve(&self, segs: &[String], depth: usize, strict: bool) -> Option<PathBuf> {
        if depth > 12 {
            return None;
        }
        for i in (0..=segs.len()).rev() {
            let Some(path) = self.by_module.get(&segs[..i]) else {
                continue;
            };
            let rest = &segs[i..];
            let file = &self.files[path];
            let Some(item) = rest.first().filter(|r| *r != "*") else {
                return Some(path.clone());
            };
            if file.defines.contains(item) {
                return Some(path.clone());
            }
            for (u, public) in &file.uses {
                let name = u.last().map(String::as_str);
                if !public || !(name == Some(item.as_str()) || name == Some("*")) {
                    continue;
                }
                let Some(mut a) = self.absolute(file, u) else {
                    continue;
                };
                let glob = name == Some("*");
                if glob {
                    a.pop();
                    a.push(item.clone());
                }
                if let Some(r) = self.resolve(&a, depth + 1, glob) {
                    return Some(r);
                }
            }
            return (!strict).then(|| path.clone());
        }
        None
    }

    fn edges(&self) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
        let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
        for (p, f) in &self.files {
            let named = f
                .uses
                .iter()
                .filter(|(_, public)| !public)
                .map(|(u, _)| u)
                .chain(&f.paths);
            for segs in named {
                let Some(a) = self.absolute(f, segs) else {
                    continue;
                };
                if let Some(t) = self.resolve(&a, 0, false).filter(|t| t != p) {
                    edges.entry(p.clone()).or_default().insert(t);
                }
            }
        }
        edges
    }
}

fn load() -> Crate {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&root, &mut paths);
    let mut files = BTreeMap::new();
    let mut by_module = BTreeMap::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let module = module_of(&root, &p);
        let rel = p
            .strip_prefix(root.parent().unwrap())
            .unwrap()
            .to_path_buf();
        by_module.insert(module.clone(), rel.clone());
        files.insert(rel, parse(module, &text));
    }
    Crate { files, by_module }
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>, nodes: &[PathBuf]) -> Vec<Vec<PathBuf>> {
    struct T<'a> {
        edges: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<PathBuf, usize>,
        low: BTreeMap<PathBuf, usize>,
        stack: Vec<PathBuf>,
        on: BTreeSet<PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit(t: &mut T, v: &PathBuf) {
        let n = t.index.len();
        t.index.insert(v.clone(), n);
        t.low.insert(v.clone(), n);
        t.stack.push(v.clone());
        t.on.insert(v.clone());
        let next: Vec<PathBuf> = t
            .edges
            .get(v)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        for w in next {
            if !t.index.contains_key(&w) {
                visit(t, &w);
                let l = t.low[v].min(t.low[&w]);
                t.low.insert(v.clone(), l);
            } else if t.on.contains(&w) {
                let l = t.low[v].min(t.index[&w]);
                t.low.insert(v.clone(), l);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(&w);
                let done = &w == v;
                comp.push(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in nodes {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn the_file_dependency_graph_has_no_cycle() {
    let c = load();
    let edges = c.edges();
    let nodes: Vec<PathBuf> = c.files.keys().cloned().collect();
    let found = cycles(&edges, &nodes);
    let shown: Vec<String> = found
        .iter()
        .map(|comp| {
            comp.iter()
                .map(|p| {
                    let inside: Vec<String> = edges[p]
                        .iter()
                        .filter(|t| comp.contains(t))
                        .map(|t| t.display().to_string())
                        .collect();
                    format!("{} -> {}", p.display(), inside.join(", "))
                })
                .collect::<Vec<_>>()
                .join("\n  ")
        })
        .collect();
    assert!(found.is_empty(), "cycles:\n  {}", shown.join("\n\n  "));
    // The graph is real: the layers above depend on the ones below.
    let depends = |a: &str, b: &str| edges[Path::new(a)].contains(Path::new(b));
    assert!(depends("src/run.rs", "src/engine.rs"));
    assert!(depends("src/compare/mod.rs", "src/metric/exec.rs"));
    assert!(depends("src/report/console/mod.rs", "src/report/part.rs"));
}

#[test]
fn only_the_command_layer_depends_on_run() {
    let c = load();
    let edges = c.edges();
    let users: Vec<String> = edges
        .iter()
        .filter(|(_, to)| to.contains(Path::new("src/run.rs")))
        .map(|(from, _)| from.display().to_string())
        .collect();
    assert_eq!(users, vec!["src/app/adhoc.rs", "src/app/mod.rs"]);
}
