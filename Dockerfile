# Sluice in a container: the prebuilt release binary (Swift standard library linked in) on
# Debian 12 with only the C libraries it links. Build it with scripts/image (podman), or:
#
#   scripts/image binary            # swift build -c release --static-swift-stdlib → .build-image/sluice
#   docker build -t sluice:local .
#
# BASE must be Debian 12 (bookworm) or a release with the same or newer libraries: the binary
# is built on bookworm (glibc 2.36, librdkafka.so.1, libmariadb.so.3).
ARG BASE=debian:bookworm-slim
FROM ${BASE}
ARG BASE

# The libraries `ldd sluice` lists outside glibc, and ca-certificates for TLS to S3, MySQL
# and the warehouse (scripts/image checks inside the image that nothing is missing).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates librdkafka1 libmariadb3 libzstd1 libsnappy1v5 libxml2 zlib1g libstdc++6 libgcc-s1 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /home/sluice --create-home \
      --shell /usr/sbin/nologin sluice

ARG BINARY=.build-image/sluice
COPY ${BINARY} /usr/local/bin/sluice
# The bundled star models; SLUICE_MODEL picks one (or a file mounted in).
COPY models/ /usr/share/sluice/models/
ENV SLUICE_MODEL=/usr/share/sluice/models/classicmodels.yaml

# Numeric, so a runtime can check it is not root (Kubernetes runAsNonRoot).
USER 10001:10001
# Sluice reads .env and .sluice/stack.env from its working directory and writes
# .sluice/report/ there (sluice report); HOME is where the AWS credential chain looks (~/.aws).
WORKDIR /home/sluice
ENV HOME=/home/sluice
ENTRYPOINT ["sluice"]
CMD ["--help"]

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=
LABEL org.opencontainers.image.title="sluice" \
      org.opencontainers.image.description="MySQL/MariaDB → Kafka → S3 Parquet lake → PostgreSQL/Redshift, one binary" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${BASE}"
