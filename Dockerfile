# flowrun in a container: built with the Swift toolchain, the Swift runtime linked in statically,
# run on Debian slim as a non-root user. Build: docker build -t flow .
# Run one cluster worker: docker run flow run /flow/configs/trending-from-kafka.yaml --cluster kafka://… --worker-id w0
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libzstd-dev=1.5.4+dfsg2-5+deb12u1 zlib1g-dev=1:1.2.13.dfsg-1 libhiredis-dev=0.14.1-3 \
       libopenblas-dev=0.3.21+ds-4 libcurl4-openssl-dev=7.88.1-10+deb12u15 libsimdjson-dev=3.0.1-1 \
       libxsmm-dev=1.17-2 librdkafka-dev=2.0.2-1 pkg-config=1.8.1-1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Fuzz ./Fuzz
RUN swift build -c release --static-swift-stdlib --product flowrun \
    && install -m 0755 "$(swift build -c release --show-bin-path)/flowrun" /usr/local/bin/flowrun

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libzstd1=1.5.4+dfsg2-5+deb12u1 zlib1g=1:1.2.13.dfsg-1 libhiredis0.14=0.14.1-3 \
       libopenblas0-pthread=0.3.21+ds-4 libcurl4=7.88.1-10+deb12u15 libsimdjson14=3.0.1-1 \
       librdkafka1=2.0.2-1 libstdc++6=12.2.0-14+deb12u1 ca-certificates=20230311+deb12u1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 flow \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /flow flow
COPY --from=build /usr/local/bin/flowrun /usr/local/bin/flowrun
COPY configs /flow/configs
USER 10001:10001
# The metrics endpoint (--metrics-port 9249), for Prometheus and the probes.
EXPOSE 9249
WORKDIR /flow
ENTRYPOINT ["flowrun"]
CMD ["--help"]
