import MetricsView

/// Bytes from a metrics endpoint, as `flowrun top` reads them: parsed as Prometheus text (the
/// first half as the previous scrape, the whole as the current one) and drawn as a view. Every
/// sample kept must have a name of Prometheus's characters.
enum MetricsTextTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        let whole = PrometheusText(String(decoding: bytes, as: UTF8.self))
        let half = PrometheusText(String(decoding: bytes.prefix(bytes.count / 2), as: UTF8.self))
        _ = JobTopView(url: "http://127.0.0.1:1", previous: half, current: whole, seconds: 1).lines
        for sample in whole.samples {
            let valid = !sample.name.isEmpty && sample.name.utf8.allSatisfy { byte in
                byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            }
            if !valid { return "the sample name \(sample.name.debugDescription) has characters Prometheus names cannot" }
        }
        return nil
    }
}
