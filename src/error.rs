//! How an error becomes text, once, at the edge. Layers keep their errors
//! typed (`thiserror` enums with the engine's or driver's error as
//! `#[source]`); whoever shows one to a person — a report field, a line on
//! stderr — calls [`text`], which writes the error and each cause once,
//! joined with `: `. DataFusion's own errors are shown by their root cause
//! ([`datafusion_text`]), without the layers of context DataFusion wraps them in.

use std::error::Error;

use datafusion::error::DataFusionError;

/// An error and its causes, each once: `cannot plan the query: table
/// "x" not found`. Drivers wrap the useful part ("password authentication
/// failed", "database \"x\" does not exist") in generic layers; repeated
/// text, blank lines and the providers' requests to file bug reports with
/// them are left out.
pub fn text(e: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(df) = err.downcast_ref::<DataFusionError>() {
            push_lines(&mut parts, &datafusion_text(df));
            break;
        }
        push_lines(&mut parts, &err.to_string());
        next = err.source();
    }
    parts.join(": ")
}

fn push_lines(parts: &mut Vec<String>, text: &str) {
    for line in text.lines() {
        // The providers end some messages with a request to file a bug
        // with them; it tells a user nothing about their database.
        let line = match line.find("Report a bug to request support") {
            Some(i) => line[..i].trim(),
            None => line.trim(),
        };
        if line.is_empty()
            || line.starts_with("For details, refer to")
            || line.starts_with("For further information, refer to")
            || parts.iter().any(|p| p.contains(line))
        {
            continue;
        }
        parts.push(line.to_string());
    }
}

/// A DataFusion error as one line: its root cause, without the context
/// DataFusion adds on the way up.
pub fn datafusion_text(e: &DataFusionError) -> String {
    let root = e.find_root();
    let text = match root {
        DataFusionError::ArrowError(a, _) => a.to_string(),
        DataFusionError::ParquetError(p) => format!("Parquet error: {p}"),
        DataFusionError::External(x) => x.to_string(),
        // The pool's own report lists its five largest consumers in bytes;
        // what the user can do comes first.
        DataFusionError::ResourcesExhausted(why) => format!(
            "out of memory under --memory-limit: raise the limit (or run without one); {}",
            why.split(" with top memory consumers")
                .next()
                .unwrap_or(why)
        ),
        other => other.to_string(),
    };
    let text = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    cluster_job_cause(&text).to_string()
}

/// A failed cluster job's error without Ballista's wrapping (`Execution
/// error: Job 038J9… failed: DataFusion error: …`): what the executor said.
fn cluster_job_cause(text: &str) -> &str {
    let mut t = text;
    if let Some(rest) = t.strip_prefix("Execution error: Job ") {
        if let Some(i) = rest.find(" failed: ") {
            t = &rest[i + " failed: ".len()..];
        }
    }
    while let Some(rest) = t.strip_prefix("DataFusion error: ") {
        t = rest;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot plan the query")]
    struct Plan(#[source] DataFusionError);

    #[test]
    fn a_cluster_job_failure_shows_the_executor_s_cause() {
        let e = DataFusionError::Execution(
            "Job 038J9MEEHM000 failed: DataFusion error: Object Store error: access denied".into(),
        );
        assert_eq!(datafusion_text(&e), "Object Store error: access denied");
    }

    #[test]
    fn causes_are_joined_once_and_datafusion_shows_its_root() {
        let inner = DataFusionError::Plan("table 'x' not found".into());
        let wrapped = DataFusionError::Context("while planning".into(), Box::new(inner));
        let e = Plan(wrapped);
        assert_eq!(
            text(&e),
            "cannot plan the query: Error during planning: table 'x' not found"
        );
    }
}
