# One image holds both binaries; docker-compose picks the command per service.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p spacecloud-api -p spacecloud-worker \
    && cp target/release/spacecloud-api target/release/spacecloud-worker /usr/local/bin/

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 spacecloud
COPY --from=build /usr/local/bin/spacecloud-api /usr/local/bin/spacecloud-worker /usr/local/bin/
USER spacecloud
ENV APP_ENV=production BIND_ADDR=0.0.0.0:8080
EXPOSE 8080
CMD ["spacecloud-api", "serve"]
