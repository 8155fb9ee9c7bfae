//! What this build of verdict can read and where it can run: the cargo
//! features it was compiled with. The release builds (the wheel, the
//! archives, the container) have every one; `cargo build
//! --no-default-features` makes a files-only binary. A suite that needs a
//! part this build lacks is refused when it is validated (exit 2), naming
//! the feature, never half-run.

/// A part of verdict that a cargo feature adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feature {
    /// The cargo feature's name.
    pub name: &'static str,
    /// What it adds, as a message names it.
    pub what: &'static str,
    /// Whether this build has it.
    pub built: bool,
}

pub const POSTGRES: Feature = Feature {
    name: "postgres",
    what: "PostgreSQL sources",
    built: cfg!(feature = "postgres"),
};

pub const MYSQL: Feature = Feature {
    name: "mysql",
    what: "MySQL/MariaDB sources",
    built: cfg!(feature = "mysql"),
};

pub const CLOUD: Feature = Feature {
    name: "cloud",
    what: "object stores (s3://, gs://, az://, http(s)://)",
    built: cfg!(feature = "cloud"),
};

pub const CLUSTER: Feature = Feature {
    name: "cluster",
    what: "Ballista clusters (df://)",
    built: cfg!(feature = "cluster"),
};

/// Every feature, in the order `--version` lists them.
pub const ALL: [Feature; 4] = [POSTGRES, MYSQL, CLOUD, CLUSTER];

impl Feature {
    /// `Err` with the message of a build without this feature.
    pub fn require(self) -> Result<(), String> {
        match self.built {
            true => Ok(()),
            false => Err(self.missing()),
        }
    }

    /// Why this build cannot do what needs this feature, and what to use
    /// instead.
    pub fn missing(self) -> String {
        format!(
            "this verdict was built without {} (cargo feature `{}`); use a release build (`pip install verdict-gate`) or build with the default features",
            self.what, self.name
        )
    }
}

/// Whether `text` is the message of a missing feature ([`Feature::missing`]).
pub fn is_missing(text: &str) -> bool {
    text.starts_with("this verdict was built without ")
}

/// `verdict --version`: the version and the features of this build.
pub fn long_version() -> &'static str {
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let built: Vec<&str> = ALL.iter().filter(|f| f.built).map(|f| f.name).collect();
        let features = match built.is_empty() {
            true => "files only".to_string(),
            false => built.join(", "),
        };
        format!("{} (features: {features})", env!("CARGO_PKG_VERSION"))
    });
    TEXT.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_feature_names_itself_and_the_way_out() {
        let off = Feature {
            built: false,
            ..CLUSTER
        };
        assert_eq!(
            off.require().unwrap_err(),
            "this verdict was built without Ballista clusters (df://) (cargo feature `cluster`); use a release build (`pip install verdict-gate`) or build with the default features"
        );
        assert_eq!(
            Feature {
                built: true,
                ..CLUSTER
            }
            .require(),
            Ok(())
        );
    }

    #[test]
    #[cfg(all(
        feature = "postgres",
        feature = "mysql",
        feature = "cloud",
        feature = "cluster"
    ))]
    fn the_version_of_a_default_build_lists_every_feature() {
        assert_eq!(
            long_version(),
            format!(
                "{} (features: postgres, mysql, cloud, cluster)",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    #[cfg(not(any(
        feature = "postgres",
        feature = "mysql",
        feature = "cloud",
        feature = "cluster"
    )))]
    fn the_version_of_a_files_only_build_says_so() {
        assert_eq!(
            long_version(),
            format!("{} (features: files only)", env!("CARGO_PKG_VERSION"))
        );
    }
}
