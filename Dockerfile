# syntax=docker/dockerfile:1
# verdict in a container, for checks run by Kubernetes CronJobs, Airflow's
# KubernetesPodOperator or any scheduler that starts images:
#
#   docker build -t verdict .
#   docker run --rm -v "$PWD:/work" verdict run expectations/drift.yml
#
# The build stage compiles verdict with every feature and OpenSSL compiled
# in; the final image is distroless (glibc, CA certificates, no shell):
# the binary and what it needs, running as an unprivileged user.

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies first, so that a change to verdict's own code reuses them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked --features vendored-openssl \
    && rm -rf src
COPY src ./src
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --features vendored-openssl \
    && cp target/release/verdict /usr/local/bin/verdict \
    && /usr/local/bin/verdict --version

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /usr/local/bin/verdict /usr/local/bin/verdict
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/verdict"]
CMD ["--help"]
