//! Object-store locations in a suite: which store a `path:` URL names and
//! which `storage:` options that store takes. The options are
//! object_store's own keys; their values (secrets among them) are never
//! shown. `crate::source::store` makes the stores.

#[cfg(feature = "cloud")]
use object_store::aws::AmazonS3ConfigKey;
#[cfg(feature = "cloud")]
use object_store::azure::AzureConfigKey;
#[cfg(feature = "cloud")]
use object_store::gcp::GoogleConfigKey;
#[cfg(feature = "cloud")]
use object_store::ClientConfigKey;

/// The scheme of a `path:` written as a URL (`s3://bucket/key`), which is
/// not a local path.
pub fn url_scheme(path: &str) -> Option<&str> {
    let (scheme, _) = path.split_once("://")?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then_some(scheme)
}

/// The object stores verdict reads, by URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    S3,
    Gcs,
    Azure,
    Http,
}

/// The schemes a `path:` may have besides a local path, as help shows them.
pub const SCHEMES: &str = "s3://, gs://, az:// (abfss://), http:// or https://";

impl Cloud {
    /// The store a URL's scheme names; `None` for a local path or an
    /// unknown scheme.
    pub fn of(url: &str) -> Option<Cloud> {
        let scheme = url_scheme(url)?.to_ascii_lowercase();
        Some(match scheme.as_str() {
            "s3" | "s3a" => Cloud::S3,
            "gs" => Cloud::Gcs,
            "az" | "azure" | "abfs" | "abfss" | "adl" => Cloud::Azure,
            "http" | "https" => Cloud::Http,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Cloud::S3 => "S3",
            Cloud::Gcs => "Google Cloud Storage",
            Cloud::Azure => "Azure Blob Storage",
            Cloud::Http => "HTTP",
        }
    }

    /// What the first part of this store's URLs names.
    pub fn bucket_word(self) -> &'static str {
        match self {
            Cloud::S3 | Cloud::Gcs => "bucket",
            Cloud::Azure => "container",
            Cloud::Http => "host",
        }
    }

    /// Where this cloud's credentials come from, as an access-denied
    /// error names them.
    pub fn credentials(self) -> &'static str {
        match self {
            Cloud::S3 => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the source's `storage:`",
            Cloud::Gcs => {
                "GOOGLE_APPLICATION_CREDENTIALS or GOOGLE_SERVICE_ACCOUNT, or the source's `storage:`"
            }
            Cloud::Azure => {
                "AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY or AZURE_STORAGE_SAS_KEY, or the source's `storage:`"
            }
            Cloud::Http => "the server's access rules",
        }
    }

    /// A build without object stores knows no option of any: the URL
    /// itself is refused ([`crate::spec::location_problem`]).
    #[cfg(not(feature = "cloud"))]
    pub fn option_problem(self, _key: &str) -> Option<String> {
        Some(crate::features::CLOUD.missing())
    }

    /// Why `key` is not a `storage:` option of this store, if it is not.
    /// Keys are object_store's own (`endpoint`, `region`, `allow_http`,
    /// `access_key_id`, …, with or without the `aws_`/`google_`/`azure_`
    /// prefix of the environment variable).
    #[cfg(feature = "cloud")]
    pub fn option_problem(self, key: &str) -> Option<String> {
        let k = key.to_ascii_lowercase();
        let known = match self {
            Cloud::S3 => k.parse::<AmazonS3ConfigKey>().is_ok(),
            Cloud::Gcs => k.parse::<GoogleConfigKey>().is_ok(),
            Cloud::Azure => k.parse::<AzureConfigKey>().is_ok(),
            Cloud::Http => k.parse::<ClientConfigKey>().is_ok(),
        };
        (!known).then(|| {
            let examples = match self {
                Cloud::S3 => "endpoint, region, allow_http, access_key_id, secret_access_key, session_token, virtual_hosted_style_request, skip_signature",
                Cloud::Gcs => "service_account, service_account_key, application_credentials, base_url, skip_signature",
                Cloud::Azure => "account_name, access_key, sas_key, use_emulator, endpoint, client_id, client_secret, tenant_id",
                Cloud::Http => "allow_http, timeout, connect_timeout, user_agent, allow_invalid_certificates",
            };
            format!(
                "`{key}` is not a storage option of {}; options are object_store's, e.g. {examples}",
                self.name()
            )
        })
    }
}

/// The `storage:` options that hold secrets, without their `aws_`,
/// `google_` or `azure_` prefix: their values are never shown.
const SECRET_OPTIONS: [&str; 12] = [
    "secret_access_key",
    "session_token",
    "token",
    "access_key",
    "storage_account_key",
    "account_key",
    "master_key",
    "sas_key",
    "sas_token",
    "client_secret",
    "service_account_key",
    "bearer_token",
];

/// Whether a `storage:` option holds a secret: its value is never shown.
pub fn is_secret_option(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let bare = ["aws_", "google_", "azure_storage_", "azure_"]
        .iter()
        .find_map(|p| k.strip_prefix(p))
        .unwrap_or(&k);
    SECRET_OPTIONS.contains(&bare)
}

/// A suite line with the values of secret `storage:` options replaced by
/// `***` (block or flow style); `${VAR}` references are kept, they name
/// the secret without showing it.
pub fn mask_secret_options(line: &str) -> String {
    static KEY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"([A-Za-z_][A-Za-z0-9_]*)\s*:[ \t]*").expect("a valid pattern")
    });
    let mut out = String::with_capacity(line.len());
    let mut done = 0;
    for c in KEY.captures_iter(line) {
        let (whole, key) = (c.get(0).expect("match"), &c[1]);
        if whole.start() < done || !is_secret_option(key) {
            continue;
        }
        let rest = &line[whole.end()..];
        let in_flow = flow_depth(&line[..whole.start()]) > 0;
        let len = value_len(rest, in_flow);
        if len == 0 || rest[..len].trim_matches(['"', '\'']).starts_with("${") {
            continue;
        }
        out.push_str(&line[done..whole.end()]);
        out.push_str("***");
        done = whole.end() + len;
    }
    out.push_str(&line[done..]);
    out
}

/// How many `{` of a flow mapping are open at the end of `prefix`, quoted
/// text skipped.
fn flow_depth(prefix: &str) -> usize {
    let (mut depth, mut quote) = (0usize, None);
    for c in prefix.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// The length of a YAML scalar at the start of `rest`: a quoted string, or
/// plain text up to a comment (` #`), or in flow style up to `,` or `}`.
fn value_len(rest: &str, in_flow: bool) -> usize {
    let bytes = rest.as_bytes();
    match bytes.first() {
        Some(&q @ (b'"' | b'\'')) => rest[1..].find(q as char).map_or(rest.len(), |end| end + 2),
        _ => {
            let mut end = rest.len();
            for (i, &b) in bytes.iter().enumerate() {
                let comment = b == b'#' && i > 0 && bytes[i - 1].is_ascii_whitespace();
                if comment || (in_flow && (b == b',' || b == b'}')) {
                    end = i;
                    break;
                }
            }
            rest[..end].trim_end().len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_name_their_store() {
        assert_eq!(Cloud::of("s3://b/k.parquet"), Some(Cloud::S3));
        assert_eq!(Cloud::of("S3A://b/k"), Some(Cloud::S3));
        assert_eq!(Cloud::of("gs://b/k"), Some(Cloud::Gcs));
        assert_eq!(
            Cloud::of("abfss://c@a.dfs.core.windows.net/k"),
            Some(Cloud::Azure)
        );
        assert_eq!(Cloud::of("https://h/k.csv"), Some(Cloud::Http));
        assert_eq!(Cloud::of("ftp://h/k.csv"), None);
        assert_eq!(Cloud::of("data/k.csv"), None);
    }

    #[test]
    #[cfg(feature = "cloud")]
    fn storage_options_are_object_stores_own() {
        assert_eq!(Cloud::S3.option_problem("endpoint"), None);
        assert_eq!(Cloud::S3.option_problem("AWS_ALLOW_HTTP"), None);
        assert_eq!(Cloud::Azure.option_problem("use_emulator"), None);
        assert_eq!(Cloud::Http.option_problem("allow_http"), None);
        assert_eq!(
            Cloud::S3.option_problem("endpiont").unwrap(),
            "`endpiont` is not a storage option of S3; options are object_store's, e.g. endpoint, region, allow_http, access_key_id, secret_access_key, session_token, virtual_hosted_style_request, skip_signature"
        );
    }

    #[test]
    fn secrets_are_told_by_their_key() {
        for k in [
            "secret_access_key",
            "AWS_SESSION_TOKEN",
            "sas_key",
            "access_key",
            "azure_storage_account_key",
            "client_secret",
            "service_account_key",
        ] {
            assert!(is_secret_option(k), "{k}");
        }
        for k in [
            "access_key_id",
            "endpoint",
            "region",
            "allow_http",
            "account_name",
            "keys",
            "key",
        ] {
            assert!(!is_secret_option(k), "{k}");
        }
    }

    #[test]
    fn suite_lines_never_show_a_secret_option() {
        assert_eq!(
            mask_secret_options("    secret_access_key: s3cr:et/#x  # note"),
            "    secret_access_key: ***  # note"
        );
        assert_eq!(
            mask_secret_options(
                r#"storage: { endpoint: "http://h:9000", secret_access_key: 'a,b}', session_token: tok }"#
            ),
            r#"storage: { endpoint: "http://h:9000", secret_access_key: ***, session_token: *** }"#
        );
        assert_eq!(
            mask_secret_options("    secret_access_key: ${AWS_SECRET}"),
            "    secret_access_key: ${AWS_SECRET}"
        );
        assert_eq!(mask_secret_options("keys: [id, day]"), "keys: [id, day]");
        assert_eq!(
            mask_secret_options("  access_key: a,b:c #d"),
            "  access_key: *** #d"
        );
    }
}
