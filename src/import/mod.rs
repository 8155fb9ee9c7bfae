//! `verdict import odcs CONTRACT`: a suite from another tool's description
//! of the data. `contract` reads an Open Data Contract, `odcs` writes the
//! suite; the suite goes to stdout, what was not checked to stderr.

mod contract;
mod names;
mod odcs;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::cli::{ImportCommand, OdcsArgs};
use crate::report::exit;
use crate::report::format::count;
use crate::spec::emit::shell_word;

pub use contract::VERSIONS;

/// Runs the command; returns the exit code (2: the contract cannot be
/// read or imported).
pub fn main(command: ImportCommand) -> i32 {
    match command {
        ImportCommand::Odcs(args) => odcs_main(&args),
    }
}

fn odcs_main(args: &OdcsArgs) -> i32 {
    let file = args.contract.display().to_string();
    let text = match std::fs::read_to_string(&args.contract) {
        Ok(t) => t,
        Err(e) => {
            crate::diag!("error: cannot read {file}: {e}");
            return exit::INVALID;
        }
    };
    let contract = match contract::read(&text) {
        Ok(c) => c,
        Err(diags) => {
            for d in &diags {
                crate::diag!("{}", d.render(&file, &text));
            }
            return exit::INVALID;
        }
    };
    let mut command = format!("verdict import odcs {}", shell_word(&file));
    if let Some(s) = &args.server {
        command += &format!(" --server {}", shell_word(s));
    }
    if let Some(p) = &args.path {
        command += &format!(" --path {}", shell_word(p));
    }
    let opts = odcs::Options {
        contract: file.clone(),
        server: args.server.clone(),
        path: args.path.clone(),
        command,
    };
    let imported = match odcs::import(&contract, &opts) {
        Ok(i) => i,
        Err(msg) => {
            crate::diag!("error: {msg}");
            return exit::INVALID;
        }
    };
    let written = io::stdout()
        .lock()
        .write_all(imported.suite.as_bytes())
        .and_then(|_| io::stdout().lock().flush());
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            crate::diag!("error: cannot write the suite: {e}");
            return exit::BROKEN;
        }
    }
    let data = match &imported.server {
        Some(s) => format!("server `{s}`"),
        None => "--path".to_string(),
    };
    crate::diag!(
        "imported {} of {} from {file} (data: {data})",
        count(imported.checks, "check"),
        count(imported.sources, "table"),
    );
    if !imported.not_checked.is_empty() {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for n in &imported.not_checked {
            *kinds.entry(n.kind.as_str()).or_default() += 1;
        }
        let by_kind: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        crate::diag!(
            "{} not checked ({}), each a `# not checked:` comment in the suite:",
            count(imported.not_checked.len(), "rule"),
            by_kind.join(", ")
        );
        for n in &imported.not_checked {
            crate::diag!("  {file}:{}:{}: {}: {}", n.at.line, n.at.col, n.what, n.why);
        }
    }
    exit::PASS
}
