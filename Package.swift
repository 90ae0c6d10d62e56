// swift-tools-version: 6.0
import Foundation
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // Generic engine code (outputs, channels, gates) specialised into the operators that use it.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
    // Exclusivity is checked in debug builds (and so by the tests), not at run time in release.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Flow",
    products: [
        .executable(name: "flowrun", targets: ["flowrun"]),
        .library(name: "Flow", targets: ["Flow"]),
        .library(name: "FlowTesting", targets: ["FlowTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // hiredis ships a pkg-config file whose -D_FILE_OFFSET_BITS flag SwiftPM rejects; its headers are in /usr/include.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The C library's wcwidth, for lining up the console table's wide (East Asian) characters.
        .systemLibrary(name: "CWideChar"),
        // librdkafka (librdkafka-dev) behind a small C shim: its variadic produce call and callbacks.
        .target(name: "CKafka", linkerSettings: [.linkedLibrary("rdkafka")]),
        // The stable key hash, in one header that Flow and the tweet decoder's C++ both use.
        .target(name: "CStableHash"),
        // The tweet decoder's fast path on simdjson (libsimdjson-dev), behind a C interface.
        .target(name: "CTweetScan", dependencies: ["CStableHash"], cxxSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("simdjson")]),
        // The encoder's C kernels: products against weights packed once at load, on libxsmm's
        // generated kernels (libxsmm-dev), and GELU/exp compiled for AVX2+FMA and for baseline x86-64.
        .target(name: "CEncoderKernels", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("xsmm"), .linkedLibrary("dl")]),
        .target(name: "Flow", dependencies: ["CStableHash", "CZstd", "CZlib", .product(name: "CoreMetrics", package: "swift-metrics")], swiftSettings: strictSettings),
        // Prometheus text read back, and what `flowrun top` draws of it.
        .target(name: "MetricsView", dependencies: ["Operators"], swiftSettings: strictSettings),
        // `/metrics` (Prometheus text, by swift-prometheus), `/healthz` and `/ready` of a running job, served by Hummingbird.
        .target(
            name: "MetricsEndpoint",
            dependencies: ["Flow", .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // Optimised in debug builds too: the encoder's SIMD arithmetic is tens of times slower
        // unoptimised, and every scoring test runs it.
        .target(name: "Bert", dependencies: ["Flow", "CBLAS", "CEncoderKernels"], swiftSettings: strictSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Operators by concern: the generic ones (windows, top-k, watermarks, file and console
        // sinks, side files), then one target per connector, each depending only on what it reads.
        .target(name: "Operators", dependencies: ["Flow", "CWideChar"], swiftSettings: strictSettings),
        .target(name: "TweetLog", dependencies: ["Flow", "Operators", "CTweetScan", "CZstd", "CZlib"], swiftSettings: strictSettings),
        .target(name: "Scoring", dependencies: ["Flow", "Operators", "TweetLog", "Bert"], swiftSettings: strictSettings),
        .target(name: "Redis", dependencies: ["Flow", "Operators", "CHiredis"], swiftSettings: strictSettings),
        .target(name: "Elasticsearch", dependencies: ["Flow", "Operators", "Scoring", "CCurl"], swiftSettings: strictSettings),
        .target(name: "Kafka", dependencies: ["Flow", "Operators", "TweetLog", "CKafka"], swiftSettings: strictSettings),
        // The synthetic tweet log behind `flowrun generate-tweets`; it knows nothing of the engine.
        .target(name: "TweetGenerator", swiftSettings: strictSettings),
        .target(
            name: "Jobs",
            dependencies: ["Flow", "Operators", "TweetLog", "Scoring", "Redis", "Elasticsearch", "Kafka", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "flowrun",
            dependencies: ["Flow", "Operators", "TweetLog", "Scoring", "Redis", "Elasticsearch", "Kafka", "Jobs", "TweetGenerator", "Bert", "MetricsEndpoint", "MetricsView", "CCurl", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(name: "FlowTesting", dependencies: ["Flow"], swiftSettings: strictSettings),
        // What the fuzzers run on any bytes (`scripts/fuzz`); FuzzCorpusTests replays the corpora.
        .target(name: "FuzzTargets", dependencies: ["Flow", "Operators", "TweetLog", "Redis", "Kafka", "Jobs", "FlowTesting", "CHiredis", "MetricsView", "Bert"], swiftSettings: strictSettings),
        .testTarget(name: "FlowTests", dependencies: ["Flow", "FlowTesting"], swiftSettings: strictSettings),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzTargets"], swiftSettings: strictSettings),
        .testTarget(name: "BertTests", dependencies: ["Flow", "Bert"], swiftSettings: strictSettings),
        .testTarget(name: "OperatorsTests", dependencies: ["Flow", "Operators", "TweetLog", "Scoring", "Redis", "Elasticsearch", "Kafka", "FlowTesting"], swiftSettings: strictSettings),
        .testTarget(
            name: "JobsTests",
            dependencies: ["Flow", "Operators", "TweetLog", "Scoring", "Redis", "Elasticsearch", "Kafka", "Jobs", "TweetGenerator", "FlowTesting", "MetricsEndpoint", "MetricsView"],
            resources: [],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)

// The libFuzzer driver links only with `-sanitize=fuzzer`, so it is part of the package only when
// `scripts/fuzz` builds it (FLOW_FUZZ=1, in a build folder of its own).
if ProcessInfo.processInfo.environment["FLOW_FUZZ"] == "1" {
    package.targets.append(.executableTarget(name: "FlowFuzz", dependencies: ["FuzzTargets"], path: "Fuzz/FlowFuzz", swiftSettings: strictSettings))
}
