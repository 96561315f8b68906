// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // The C boundary: module maps and a shim header each, nothing else.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CCompression",
            providers: [.apt(["libzstd-dev", "libsnappy-dev", "zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),

        // Small pieces every module shares: blocking-call executor, secrets, durations.
        .target(name: "SluiceSupport"),

        .target(
            name: "Kafka",
            dependencies: ["CRdKafka", "SluiceSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "MySQL",
            dependencies: ["CMariaDB", "CCompression", "SluiceSupport"]
        ),
        .target(
            name: "S3",
            dependencies: [
                "SluiceSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Parquet", dependencies: ["SluiceSupport", "CCompression"]),
        .target(
            name: "Warehouse",
            dependencies: [
                "SluiceSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Pipeline",
            dependencies: ["SluiceSupport", "Kafka", "MySQL", "S3", "Parquet", "Warehouse", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Yams", package: "Yams")]
        ),
        // Serving the process: /metrics, /healthz and /readyz over HTTP, and JSON log lines.
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "Pipeline", "Kafka", "MySQL", "S3", "Warehouse", "SluiceSupport", "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets: finds the running local stack and the built CLI.
        .target(name: "SluiceTestSupport", dependencies: ["Pipeline", "MySQL"], path: "Tests/SluiceTestSupport"),

        .testTarget(name: "S3Tests", dependencies: ["S3", "Pipeline", "SluiceTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "Pipeline", "SluiceTestSupport"]),
        .testTarget(name: "MySQLTests", dependencies: ["MySQL", "Pipeline", "SluiceTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "Pipeline", "SluiceTestSupport",
                                                           .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "SluiceTestSupport", "Parquet", "Telemetry",
                                                          .product(name: "Yams", package: "Yams")], exclude: ["Fixtures"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "SluiceTestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Pipeline", "SluiceTestSupport", "sluice", "Warehouse"]),
    ],
    swiftLanguageModes: [.v6]
)
