//! Database URLs: parsing `postgres://` and `mysql://` URLs, and keeping
//! their passwords out of every text — a [`DbUrl`] never shows its
//! password, [`redact`] hides it in any URL-like string, and
//! [`mask_passwords`] hides it in a suite line shown under a diagnostic.
//! A leaf: the suite parser uses it without reaching the drivers.

use std::fmt;

use percent_encoding::percent_decode_str;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Mysql,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Dialect::Postgres => 5432,
            Dialect::Mysql => 3306,
        }
    }
}

const SCHEMES: [(&str, Dialect); 4] = [
    ("postgres", Dialect::Postgres),
    ("postgresql", Dialect::Postgres),
    ("mysql", Dialect::Mysql),
    ("mariadb", Dialect::Mysql),
];

/// Why `name` (`table` or `schema.table`) cannot name a table, if it
/// cannot. Each part must be letters, digits, `_` or `$`: the drivers
/// splice a table name into statements of their own (MySQL's quotes it
/// without escaping a backtick, PostgreSQL's fallback schema query does not
/// quote it at all), so anything else is refused here, never quoted and
/// hoped for.
pub fn table_name_problem(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() > 2 {
        return Some(format!(
            "`{name}` is not a table name: write `table` or `schema.table`"
        ));
    }
    for part in parts {
        if part.is_empty() {
            return Some(format!("`{name}` is not a table name: a part is empty"));
        }
        if let Some(c) = part
            .chars()
            .find(|c| !(c.is_alphanumeric() || *c == '_' || *c == '$'))
        {
            return Some(format!(
                "`{name}` is not a table name: {} is not allowed (each part of \
                 `schema.table` is letters, digits, `_` or `$`)",
                match c {
                    ' ' => "a space".to_string(),
                    '`' => "a backtick".to_string(),
                    c if c.is_control() => format!("the control character U+{:04X}", c as u32),
                    c => format!("`{c}`"),
                }
            ));
        }
    }
    None
}

/// Whether a command-line argument is a database URL rather than a path.
pub fn is_database_url(s: &str) -> bool {
    s.split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.iter().any(|(n, _)| scheme.eq_ignore_ascii_case(n)))
}

/// A parsed connection URL: `postgres://user:password@host:port/database`.
#[derive(Clone, PartialEq)]
pub struct DbUrl {
    pub dialect: Dialect,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub(super) password: Option<String>,
    pub database: String,
    /// Other query parameters (`sslmode=disable`), passed to the driver.
    pub params: Vec<(String, String)>,
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

impl DbUrl {
    pub fn parse(s: &str) -> Result<DbUrl, String> {
        let shown = redact(s);
        let url = url::Url::parse(s).map_err(|e| format!("`{shown}` is not a valid URL: {e}"))?;
        let dialect = SCHEMES
            .iter()
            .find(|(n, _)| url.scheme().eq_ignore_ascii_case(n))
            .map(|(_, e)| *e)
            .ok_or_else(|| {
                format!("`{shown}`: the scheme must be postgres://, postgresql:// or mysql://")
            })?;
        let host = match url.host_str() {
            Some(h) if !h.is_empty() => h.trim_matches(['[', ']']).to_string(),
            _ => return Err(format!("`{shown}` names no host")),
        };
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().to_string();
        let database = decode(url.path().trim_start_matches('/'));
        if database.is_empty() || database.contains('/') {
            return Err(format!(
                "`{shown}` must name one database after the host, e.g. `{}://{host}/shop`",
                dialect.name()
            ));
        }
        let user = Some(decode(url.username())).filter(|u| !u.is_empty());
        let password = url.password().map(decode);
        let params = url
            .query_pairs()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Ok(DbUrl {
            dialect,
            port: url.port().unwrap_or(dialect.default_port()),
            host,
            user,
            password,
            database,
            params,
        })
    }

    /// The URL as every output shows it: the password is `***`.
    pub fn shown(&self) -> String {
        let auth = match (&self.user, &self.password) {
            (Some(u), Some(_)) => format!("{u}:***@"),
            (Some(u), None) => format!("{u}@"),
            (None, Some(_)) => ":***@".to_string(),
            (None, None) => String::new(),
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{}://{auth}{host}:{}/{}",
            self.dialect.name(),
            self.port,
            self.database
        )
    }

    /// `host:port`, as connection errors name the server.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// `text` with every occurrence of the password replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        match &self.password {
            Some(p) if !p.is_empty() => text.replace(p.as_str(), "***"),
            _ => text.to_string(),
        }
    }
}

/// Any URL-like string with the password of its `user:password@` part
/// replaced by `***`; for text that may not parse as a URL.
pub fn redact(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return s.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    // A password can also ride in the query string.
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let q: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if matches!(k, "password" | "pass" | "pwd") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", q.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// A line of text (a suite line shown under a diagnostic) with the password
/// of every `scheme://user:password@` in it replaced by as many `*`, so the
/// caret under the line still points at the right column. `${VAR}`
/// references are left as they are: they are not secrets.
pub fn mask_passwords(line: &str) -> String {
    let mut out = line.to_string();
    let mut from = 0;
    while let Some(i) = out[from..].find("://") {
        let start = from + i + 3;
        let rest = &out[start..];
        let end = rest
            .find(['/', '?', '#', '"', '\'', ' ', ',', '}'])
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority[..at].find(':') {
                let password = &authority[colon + 1..at];
                if !password.starts_with("${") {
                    let masked = "*".repeat(password.chars().count());
                    let (a, b) = (start + colon + 1, start + at);
                    out.replace_range(a..b, &masked);
                }
            }
        }
        from = start;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_never_show_their_password() {
        let u =
            DbUrl::parse("postgres://app:s3cr%40t@db.internal:6543/shop?sslmode=disable").unwrap();
        assert_eq!(u.dialect, Dialect::Postgres);
        assert_eq!(u.host, "db.internal");
        assert_eq!(u.port, 6543);
        assert_eq!(u.user.as_deref(), Some("app"));
        assert_eq!(u.password.as_deref(), Some("s3cr@t"));
        assert_eq!(u.database, "shop");
        assert_eq!(
            u.params,
            vec![("sslmode".to_string(), "disable".to_string())]
        );
        assert_eq!(u.shown(), "postgres://app:***@db.internal:6543/shop");
        assert_eq!(format!("{u:?}"), "postgres://app:***@db.internal:6543/shop");
        assert_eq!(u.scrub("password s3cr@t rejected"), "password *** rejected");
        let m = DbUrl::parse("mysql://root@127.0.0.1/test").unwrap();
        assert_eq!((m.dialect, m.port), (Dialect::Mysql, 3306));
        assert_eq!(m.shown(), "mysql://root@127.0.0.1:3306/test");
    }

    #[test]
    fn bad_urls_are_named_without_their_password() {
        let cases = [
            (
                "postgres://u:pw@/shop",
                "`postgres://u:***@/shop` is not a valid URL: empty host",
            ),
            (
                "postgres://u:pw@h:5432",
                "`postgres://u:***@h:5432` must name one database after the host, e.g. `postgres://h/shop`",
            ),
            (
                "postgres://u:pw@h:99999/db",
                "`postgres://u:***@h:99999/db` is not a valid URL: invalid port number",
            ),
            (
                "oracle://u:pw@h/db",
                "`oracle://u:***@h/db`: the scheme must be postgres://, postgresql:// or mysql://",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(DbUrl::parse(url).unwrap_err(), want, "{url}");
        }
    }

    #[test]
    fn suite_lines_keep_their_columns_but_not_their_passwords() {
        assert_eq!(
            mask_passwords(r#"  a: { url: "postgres://app:hunter2@db/shop", table: t }"#),
            r#"  a: { url: "postgres://app:*******@db/shop", table: t }"#
        );
        let kept = r#"url: "postgres://app:${PG_PASSWORD}@db/shop""#;
        assert_eq!(mask_passwords(kept), kept);
        assert_eq!(
            mask_passwords("path: data/x.parquet"),
            "path: data/x.parquet"
        );
        assert_eq!(
            mask_passwords("https://hooks.example/x"),
            "https://hooks.example/x"
        );
    }
}
