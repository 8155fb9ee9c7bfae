//! Local files by glob and directory, with every real file and directory
//! visited once: a symlink that points back up the tree (`a -> .`) neither
//! repeats files nor sends the walk round forever.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use glob::{MatchOptions, Pattern};

/// How a pattern component matches a name: `*` and `?` never cross `/`
/// (shell semantics), and may match a leading dot, as the glob crate's own
/// walk did.
const MATCH: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// A file or directory by identity, so two paths to it are one.
type Id = (u64, u64);

fn id(meta: &std::fs::Metadata) -> Id {
    (meta.dev(), meta.ino())
}

/// A failure that is the user's to fix: a bad pattern, or a directory that
/// cannot be read.
#[derive(Debug)]
pub enum WalkError {
    Pattern(glob::PatternError),
    Io(String, std::io::Error),
}

enum Part {
    /// `**`: any number of directories.
    Any,
    Name(Pattern),
}

/// The files `pattern` matches, each real file once under the first of its
/// paths (fewest directories, then by name), sorted by path.
pub fn glob_files(pattern: &str) -> Result<Vec<String>, WalkError> {
    // Validate the whole pattern as the glob crate would parse it.
    Pattern::new(pattern).map_err(WalkError::Pattern)?;
    let absolute = pattern.starts_with('/');
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let literal = comps
        .iter()
        .take_while(|c| !c.contains(['*', '?', '[']))
        .count();
    let mut base = comps[..literal].join("/");
    if absolute {
        base.insert(0, '/');
    }
    let parts = comps[literal..]
        .iter()
        .map(|c| match *c {
            "**" => Ok(Part::Any),
            c => Pattern::new(c).map(Part::Name).map_err(WalkError::Pattern),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut walk = Walk {
        seen_dirs: HashSet::new(),
        found: Vec::new(),
    };
    if parts.is_empty() {
        // No glob characters after all (a `[` alone, say): the literal path.
        if Path::new(&base).is_file() {
            walk.found.push(base);
        }
    } else {
        walk.dir(&base, &parts)?;
    }
    let mut found: Vec<(usize, String, Id)> = walk
        .found
        .into_iter()
        .filter_map(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            Some((p.matches('/').count(), p, id(&meta)))
        })
        .collect();
    found.sort();
    let mut seen = HashSet::new();
    let mut files: Vec<String> = found
        .into_iter()
        .filter(|(_, _, i)| seen.insert(*i))
        .map(|(_, p, _)| p)
        .collect();
    files.sort();
    Ok(files)
}

struct Walk {
    /// (directory, how many pattern parts were left) already walked.
    seen_dirs: HashSet<(Id, usize)>,
    found: Vec<String>,
}

impl Walk {
    /// Matches `parts` below `dir` (`""` is the working directory).
    fn dir(&mut self, dir: &str, parts: &[Part]) -> Result<(), WalkError> {
        let shown = if dir.is_empty() { "." } else { dir };
        let Ok(meta) = std::fs::metadata(shown) else {
            return Ok(());
        };
        if !meta.is_dir() || !self.seen_dirs.insert((id(&meta), parts.len())) {
            return Ok(());
        }
        let Some((first, rest)) = parts.split_first() else {
            return Ok(());
        };
        let mut names: Vec<String> = std::fs::read_dir(shown)
            .map_err(|e| WalkError::Io(shown.to_string(), e))?
            .map(|e| {
                e.map(|e| e.file_name().to_string_lossy().into_owned())
                    .map_err(|e| WalkError::Io(shown.to_string(), e))
            })
            .collect::<Result<_, _>>()?;
        names.sort();
        let join = |name: &str| {
            if dir.is_empty() {
                name.to_string()
            } else if dir.ends_with('/') {
                format!("{dir}{name}")
            } else {
                format!("{dir}/{name}")
            }
        };
        match first {
            Part::Any => {
                // `**` matching no directory, then one more level of it.
                self.dir(dir, rest)?;
                if rest.is_empty() {
                    return Ok(());
                }
                for name in &names {
                    let path = join(name);
                    if Path::new(&path).is_dir() {
                        self.dir(&path, parts)?;
                    }
                }
            }
            Part::Name(p) => {
                for name in names.iter().filter(|n| p.matches_with(n, MATCH)) {
                    let path = join(name);
                    if rest.is_empty() {
                        if Path::new(&path).is_file() {
                            self.found.push(path);
                        }
                    } else {
                        self.dir(&path, rest)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The first file below `dir` (depth first, sorted) whose name `keep`
/// accepts, skipping hidden and `_`-prefixed names as Spark and Hive
/// writers expect, and each real directory after its first visit.
pub fn first_file(dir: &Path, keep: &dyn Fn(&str) -> bool) -> Option<String> {
    fn go(dir: &Path, keep: &dyn Fn(&str) -> bool, seen: &mut HashSet<Id>) -> Option<String> {
        let meta = std::fs::metadata(dir).ok()?;
        if !seen.insert(id(&meta)) {
            return None;
        }
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let p = e.path();
            if p.is_dir() {
                if let Some(f) = go(&p, keep, seen) {
                    return Some(f);
                }
            } else if keep(&name) {
                return Some(p.to_string_lossy().to_string());
            }
        }
        None
    }
    go(dir, keep, &mut HashSet::new())
}

/// Every file below `dir` whose name ends with `extension`, skipping
/// hidden and `_`-prefixed names, each real directory once, sorted.
pub fn all_files(dir: &Path, extension: &str) -> Vec<std::path::PathBuf> {
    fn go(dir: &Path, ext: &str, seen: &mut HashSet<Id>, out: &mut Vec<std::path::PathBuf>) {
        let Ok(meta) = std::fs::metadata(dir) else {
            return;
        };
        if !seen.insert(id(&meta)) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let p = e.path();
            if p.is_dir() {
                go(&p, ext, seen, out);
            } else if name.ends_with(ext) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    go(dir, extension, &mut HashSet::new(), &mut out);
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }

    #[test]
    fn globs_match_by_component_and_visit_each_real_file_once() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        touch(root, "a/x.parquet");
        touch(root, "a/b/y.parquet");
        touch(root, "a/b/c/z.parquet");
        touch(root, "a/.hidden.parquet");
        std::os::unix::fs::symlink(".", root.join("a/self")).unwrap();
        std::os::unix::fs::symlink("..", root.join("a/b/up")).unwrap();
        let r = root.display().to_string();
        let rel = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|p| p.strip_prefix(&format!("{r}/")).unwrap().to_string())
                .collect()
        };
        assert_eq!(
            rel(glob_files(&format!("{r}/a/**/*.parquet")).unwrap()),
            [
                "a/.hidden.parquet",
                "a/b/c/z.parquet",
                "a/b/y.parquet",
                "a/x.parquet"
            ]
        );
        assert_eq!(
            rel(glob_files(&format!("{r}/a/*.parquet")).unwrap()),
            ["a/.hidden.parquet", "a/x.parquet"]
        );
        assert_eq!(
            rel(glob_files(&format!("{r}/*/b/?.parquet")).unwrap()),
            ["a/b/y.parquet"]
        );
        assert!(glob_files(&format!("{r}/nope/*.parquet"))
            .unwrap()
            .is_empty());
        assert!(matches!(
            glob_files(&format!("{r}/a/[.parquet")),
            Err(WalkError::Pattern(_))
        ));
    }

    #[test]
    fn first_file_survives_directories_that_point_at_themselves() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::os::unix::fs::symlink(".", root.join("a")).unwrap();
        std::os::unix::fs::symlink(".", root.join("b")).unwrap();
        assert_eq!(first_file(root, &|n| n.ends_with(".csv")), None);
        touch(root, "c/t.csv");
        assert_eq!(
            first_file(root, &|n| n.ends_with(".csv")),
            Some(root.join("c/t.csv").display().to_string())
        );
    }
}
