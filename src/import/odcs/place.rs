//! Where each table's data is: the contract's first server verdict reads
//! (or the one `--server` names), or the `--path` template.

use super::super::contract::{Contract, Object, Server};

/// Where the data of every object is.
pub(super) enum Place<'c> {
    Template(String),
    Server(&'c Server),
}

/// What a source's lines under `sources:` say.
pub(super) enum Location {
    Path {
        path: String,
        format: Option<&'static str>,
        endpoint: Option<String>,
    },
    Database {
        url: String,
        table: String,
    },
}

pub(super) fn place<'c>(
    c: &'c Contract,
    contract: &str,
    server: Option<&str>,
    path: Option<&str>,
) -> Result<Place<'c>, String> {
    if let Some(t) = path {
        return Ok(Place::Template(t.to_string()));
    }
    let described = |s: &Server| {
        if s.name.is_empty() {
            format!("a `{}` server", s.kind)
        } else {
            format!("`{}` ({})", s.name, s.kind)
        }
    };
    if let Some(name) = server {
        let Some(s) = c.servers.iter().find(|s| s.name == name) else {
            let names: Vec<String> = c.servers.iter().map(|s| format!("`{}`", s.name)).collect();
            return Err(format!(
                "{} has no server `{name}`; its servers: {}",
                contract,
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ));
        };
        return match unreadable(s) {
            None => Ok(Place::Server(s)),
            Some(why) => Err(format!("server {}: {why}", described(s))),
        };
    }
    if let Some(s) = c.servers.iter().find(|s| unreadable(s).is_none()) {
        return Ok(Place::Server(s));
    }
    let found: Vec<String> = c
        .servers
        .iter()
        .map(|s| format!("{}: {}", described(s), unreadable(s).unwrap_or_default()))
        .collect();
    Err(format!(
        "{} names no server verdict can read ({}); say where each table's data is with --path, e.g. --path 'data/{{object}}.parquet' ({{object}} is each table's physicalName, else its name)",
        contract,
        if found.is_empty() { "it has no `servers`".to_string() } else { found.join("; ") }
    ))
}

/// Why verdict cannot read a server's data; `None` when it can.
pub(super) fn unreadable(s: &Server) -> Option<String> {
    match s.kind.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" | "mysql" => match s.text("host") {
            Some(_) if s.text("database").is_some() => None,
            Some(_) => Some("it names no `database`".into()),
            None => Some("it names no `host`".into()),
        },
        "local" => match s.text("path") {
            Some(_) => file_format(s).err(),
            None => Some("it names no `path`".into()),
        },
        "s3" | "gcs" | "azure" => match s.text("location") {
            Some(_) => file_format(s).err(),
            None => Some("it names no `location`".into()),
        },
        "" => Some("it has no `type`".into()),
        other => Some(format!(
            "verdict reads PostgreSQL, MySQL/MariaDB, local files, S3, GCS and Azure, not {other}"
        )),
    }
}

/// The verdict format of a file server's `format` (`None`: from the file
/// names).
pub(super) fn file_format(s: &Server) -> Result<Option<&'static str>, String> {
    let Some(f) = s.text("format") else {
        return Ok(None);
    };
    match f.to_ascii_lowercase().as_str() {
        "parquet" => Ok(Some("parquet")),
        "csv" => Ok(Some("csv")),
        "json" => match s.text("delimiter").as_deref() {
            None | Some("new_line") => Ok(Some("json")),
            Some(d) => Err(format!(
                "its JSON is delimited `{d}`; verdict reads JSON as one document per line (`new_line`)"
            )),
        },
        "arrow" | "ipc" | "feather" => Ok(Some("arrow")),
        other => Err(format!(
            "its format is `{other}`; verdict reads parquet, csv, json (one document per line) and arrow"
        )),
    }
}

/// A `{model}`/`{object}` placeholder replaced by the table's name.
pub(super) fn fill(template: &str, table: &str) -> String {
    template
        .replace("{object}", table)
        .replace("{model}", table)
}

pub(super) fn location(place: &Place<'_>, o: &Object) -> Location {
    let table = o.table();
    match place {
        Place::Template(t) => Location::Path {
            path: fill(t, table),
            format: None,
            endpoint: None,
        },
        Place::Server(s) => {
            let kind = s.kind.to_ascii_lowercase();
            let text = |k: &str| s.text(k).unwrap_or_default().replace("${", "$${");
            match kind.as_str() {
                "postgres" | "postgresql" | "mysql" => {
                    let (scheme, var, port) = match kind.as_str() {
                        "mysql" => ("mysql", "MYSQL", "3306"),
                        _ => ("postgres", "POSTGRES", "5432"),
                    };
                    let port = s.text("port").unwrap_or_else(|| port.to_string());
                    let url = format!(
                        "{scheme}://${{DATACONTRACT_{var}_USERNAME}}:${{DATACONTRACT_{var}_PASSWORD}}@{}:{port}/{}",
                        text("host"),
                        text("database"),
                    );
                    let table = match s.text("schema") {
                        Some(schema) if scheme == "postgres" => format!("{schema}.{table}"),
                        _ => table.to_string(),
                    };
                    Location::Database { url, table }
                }
                _ => {
                    let key = if kind == "local" { "path" } else { "location" };
                    Location::Path {
                        path: fill(&s.text(key).unwrap_or_default(), table),
                        format: file_format(s).ok().flatten(),
                        endpoint: s.text("endpointUrl"),
                    }
                }
            }
        }
    }
}
