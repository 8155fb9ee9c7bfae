//! `--annotations github`: each check that did not pass as a GitHub
//! Actions workflow command (`::error file=…,line=…,col=…,title=…::…`),
//! so the failure shows on the suite line that declares it in the pull
//! request's diff. Failed errors and checks that could not be evaluated
//! are `::error`, failed warnings `::warning` (`::error` under
//! `--strict`, where they fail the gate). A gate the suite implies (a
//! diff, drift, comparison or bench gate) has no line of its own and is
//! annotated on the file.

use super::part::Section;
use super::Report;
use crate::check::Status;
use crate::spec::Severity;

/// The workflow commands for `r`, one per line.
pub fn github(r: &Report) -> String {
    let mut out = String::new();
    for p in r.problems() {
        let c = p.check;
        let level = match (c.status, c.severity) {
            (Status::Fail, Severity::Warn) if !r.strict => "warning",
            _ => "error",
        };
        let place = match p.part.section {
            Section::Source(s) => format!("{} · ", s.name),
            _ => format!("{} · ", p.part.kind()),
        };
        let mut props = vec![format!("file={}", property(&p.part.suite.file))];
        if let Some(at) = c.at {
            props.push(format!("line={}", at.line));
            props.push(format!("col={}", at.col));
        }
        props.push(format!(
            "title={}",
            property(&format!("verdict: {place}{}", c.name))
        ));
        let what = match c.status {
            Status::Error => "could not be evaluated",
            _ => "failed",
        };
        let mut message = format!("{} {what}: {}", c.name, c.observed_text);
        if !c.expected.is_empty() {
            message.push_str(&format!(" (expected {})", c.expected));
        }
        if let Some(why) = &c.why {
            message.push_str(&format!("; {why}"));
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            data(&message)
        ));
    }
    out
}

/// A command's message: `%`, CR and LF escaped, as the runner expects.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: the message's escapes and `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(data("50% of\nrows"), "50%25 of%0Arows");
        assert_eq!(property("a: b, c"), "a%3A b%2C c");
    }
}
