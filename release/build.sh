#!/usr/bin/env bash
# Builds the release artifacts of one target into dist/: the Python wheel
# whose payload is the `verdict` binary (maturin, bindings = "bin"), and an
# archive of the same binary with its SHA-256. The release workflow runs
# exactly this on each runner; it runs the same way on a developer's Linux
# machine.
#
#   release/build.sh x86_64-unknown-linux-gnu
#
# Linux targets are built with zig as the C compiler and linker against
# glibc 2.17 (manylinux2014), so the binary runs on every glibc
# distribution since 2014; OpenSSL, which the database drivers use for
# TLS, is compiled in (feature vendored-openssl), so the binary needs no
# libssl. macOS and Windows use their system TLS.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:?usage: release/build.sh TARGET (e.g. x86_64-unknown-linux-gnu)}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
# A tag must name the version it builds.
if [ "${GITHUB_REF_TYPE:-}" = tag ] && [ "${GITHUB_REF_NAME:-}" != "v$version" ]; then
    echo "error: tag ${GITHUB_REF_NAME} does not match Cargo.toml's version $version (expected v$version)" >&2
    exit 1
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
mkdir -p dist

# The build tools, pinned, in a virtual environment of their own.
tools="${VERDICT_RELEASE_TOOLS:-$PWD/target/release-tools}"
python="$(command -v python3 || command -v python)"
"$python" -m venv "$tools"
if [ -x "$tools/bin/python" ]; then py="$tools/bin/python"; bin="$tools/bin"; else py="$tools/Scripts/python.exe"; bin="$tools/Scripts"; fi
"$py" -m pip install --quiet --disable-pip-version-check "maturin==1.16.0"
# maturin finds zig through this environment's python (`python -m ziglang`).
export PATH="$bin:$PATH"
rustup target add "$target" >/dev/null

args=(build --release --locked --target "$target" --out dist)
case "$target" in
    *-linux-gnu)
        "$py" -m pip install --quiet --disable-pip-version-check "ziglang==0.17.0"
        args+=(--zig --compatibility manylinux2014)
        ;;
esac
start=$(date +%s)
"$bin/maturin" "${args[@]}"
echo "built $target in $(($(date +%s) - start)) s"

# The archive: the binary the wheel carries, with README.
exe=verdict
case "$target" in *windows*) exe=verdict.exe ;; esac
name="verdict-v$version-$target"
stage="$(mktemp -d)/$name"
mkdir -p "$stage"
cp "$CARGO_TARGET_DIR/$target/release/$exe" README.md "$stage/"
case "$target" in
    *windows*)
        archive="$name.zip"
        (cd "$(dirname "$stage")" && 7z a -tzip -bso0 "$OLDPWD/dist/$archive" "$name")
        ;;
    *)
        archive="$name.tar.gz"
        tar -C "$(dirname "$stage")" -czf "dist/$archive" "$name"
        ;;
esac
if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
(cd dist && "${sum[@]}" "$archive" > "$archive.sha256")
ls -l dist
