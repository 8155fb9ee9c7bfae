//! `engine:` (and `--engine`): where a suite's plans run, the embedded
//! DataFusion or a DataFusion Ballista cluster's scheduler (`df://host:port`).

use std::fmt;

use url::Url;

/// Ballista's scheduler port, when an address leaves it out.
pub const DEFAULT_PORT: u16 = 50050;

/// Where a session's plans run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Engine {
    /// DataFusion inside this process.
    #[default]
    Embedded,
    /// A Ballista cluster: the scheduler at this address.
    Cluster(Address),
}

impl Engine {
    /// `embedded` or `df://host[:port]`.
    pub fn parse(text: &str) -> Result<Engine, String> {
        match text.trim() {
            "embedded" => Ok(Engine::Embedded),
            t => {
                let addr = Address::parse(t)?;
                crate::features::CLUSTER.require()?;
                Ok(Engine::Cluster(addr))
            }
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Embedded => write!(f, "embedded"),
            Engine::Cluster(a) => write!(f, "{a}"),
        }
    }
}

/// A scheduler's address: `df://host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub host: String,
    pub port: u16,
}

impl Address {
    /// `df://host[:port]`; the port defaults to Ballista's 50050.
    pub fn parse(text: &str) -> std::result::Result<Address, String> {
        let bad = |why: &str| {
            format!("`{text}` is not a cluster address ({why}): expected df://HOST:PORT, e.g. df://scheduler:{DEFAULT_PORT}")
        };
        let rest = text
            .strip_prefix("df://")
            .ok_or_else(|| bad("it does not start with df://"))?;
        let url = Url::parse(&format!("http://{rest}")).map_err(|e| bad(&e.to_string()))?;
        if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
            return Err(bad("only a host and a port may follow df://"));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host"))?;
        Ok(Address {
            host: host.trim_matches(['[', ']']).to_string(),
            port: url.port().unwrap_or(DEFAULT_PORT),
        })
    }

    /// The URL Ballista's client connects to.
    pub fn grpc(&self) -> String {
        format!("http://{}", self.host_port())
    }

    fn host_port(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "df://{}", self.host_port())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_with_their_default_port() {
        assert_eq!(
            Address::parse("df://scheduler").unwrap(),
            Address {
                host: "scheduler".into(),
                port: 50050
            }
        );
        let a = Address::parse("df://127.0.0.1:50111").unwrap();
        assert_eq!(a.to_string(), "df://127.0.0.1:50111");
        assert_eq!(a.grpc(), "http://127.0.0.1:50111");
        assert_eq!(
            Address::parse("http://x:1").unwrap_err(),
            "`http://x:1` is not a cluster address (it does not start with df://): expected df://HOST:PORT, e.g. df://scheduler:50050"
        );
        assert_eq!(
            Address::parse("df://x:1/path").unwrap_err(),
            "`df://x:1/path` is not a cluster address (only a host and a port may follow df://): expected df://HOST:PORT, e.g. df://scheduler:50050"
        );
        assert_eq!(
            Address::parse("df://x:99999").unwrap_err(),
            "`df://x:99999` is not a cluster address (invalid port number): expected df://HOST:PORT, e.g. df://scheduler:50050"
        );
    }
}
