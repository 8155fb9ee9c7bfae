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

    pub fn label(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL",
        }
    }

    /// The cargo feature that builds this database's driver.
    pub fn feature(self) -> crate::features::Feature {
        match self {
            Dialect::Postgres => crate::features::POSTGRES,
            Dialect::Mysql => crate::features::MYSQL,
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
        let url = url::Url::parse(s).map_err(|e| {
            // A `/`, `#`, `?` or space in a password cuts the URL inside it.
            let special = s.split_once("://").is_some_and(|(_, rest)| {
                password_span(rest, rest.len())
                    .is_some_and(|(c, a)| rest[c + 1..a].contains(['/', '#', '?', ' ', '@']))
            });
            let hint = if special {
                " (in a password, write `/` `#` `?` `@` and spaces percent-encoded: \
                 %2F %23 %3F %40 %20)"
            } else {
                ""
            };
            format!("`{shown}` is not a valid URL: {e}{hint}")
        })?;
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
    let (authority, tail) = match password_span(rest, rest.len()) {
        Some((colon, at)) => {
            let after = &rest[at + 1..];
            let end = after.find(['/', '?', '#']).unwrap_or(after.len());
            (
                format!("{}:***@{}", &rest[..colon], &after[..end]),
                &after[end..],
            )
        }
        None => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            (rest[..end].to_string(), &rest[end..])
        }
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
        // The URL ends where the YAML around it goes on: a closing quote,
        // or a comma or brace of a flow mapping after a space.
        let limit = rest.find(['"', '\'', '\n']).unwrap_or(rest.len());
        if let Some((colon, at)) = password_span(rest, limit) {
            let password = &rest[colon + 1..at];
            if !password.starts_with("${") {
                let masked = "*".repeat(password.chars().count());
                out.replace_range(start + colon + 1..start + at, &masked);
            }
        }
        from = start;
    }
    out
}

/// Where the password of `user:password@host…` sits in `rest` (what
/// follows `scheme://`), searched before `limit`: the byte positions of the
/// `:` after the user and of the `@` before the host. The password may hold
/// any character, `/`, `?`, `#`, `@` and spaces included, so the `@` is the
/// last one before `limit` that a host follows, and the user is what comes
/// before the first `:`. Finding too much hides too much; never too little.
fn password_span(rest: &str, limit: usize) -> Option<(usize, usize)> {
    let host_like = |s: &str| {
        let end = s.find(['/', '?', '#']).unwrap_or(s.len());
        // Empty too: `user:pw@/db` has no host, and still a password.
        s[..end]
            .chars()
            .all(|c| c.is_alphanumeric() || ".-_:[]%".contains(c))
    };
    let scope = &rest[..limit];
    let at = scope
        .rmatch_indices('@')
        .map(|(i, _)| i)
        .find(|&i| host_like(&scope[i + 1..]))?;
    let colon = scope[..at].find(':')?;
    // A user name has no `/`: an `@` in a path or query is not a userinfo.
    (!scope[..colon].contains(['/', '?', '#'])).then_some((colon, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12, item 6: a password holding `/`, `#`, `?`, `@` or a space
    /// was shown in full by "not a valid URL" and under diagnostics.
    #[test]
    fn item_6_passwords_with_url_special_characters_never_show() {
        for pw in [
            "pa/ss",
            "pa#ss",
            "pa?ss",
            "p@ss",
            "pa ss",
            "p:a%ss",
            "/#?@ :%",
            "a@b/c?d#e",
        ] {
            let url = format!("postgres://app:{pw}@db.internal:5432/shop?table=t");
            let shown = redact(&url);
            assert!(!shown.contains(pw), "{pw}: {shown}");
            assert_eq!(
                shown, "postgres://app:***@db.internal:5432/shop?table=t",
                "{pw}"
            );
            let line = format!("  prod: {{ url: \"{url}\", table: t }}");
            let masked = mask_passwords(&line);
            assert!(!masked.contains(pw), "{pw}: {masked}");
            assert_eq!(masked.len(), line.len(), "the caret still points right");
            if let Err(e) = DbUrl::parse(&url) {
                assert!(!e.contains(pw), "{pw}: {e}");
            }
        }
        // Without a password nothing is hidden; an `@` later in the URL
        // could end one, so it is read as doing so: too much hidden, never
        // too little.
        assert_eq!(
            redact("mysql://db:3306/shop?x=1"),
            "mysql://db:3306/shop?x=1"
        );
        assert_eq!(redact("mysql://db:3306/shop?user=a@b"), "mysql://db:***@b");
    }

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
