import Flow

/// The number format of the encoder's weight products (the linear layers, nine tenths of its
/// arithmetic). Embeddings, layer norm, softmax, GELU and the attention's small products stay fp32
/// whatever it is.
public enum Precision: String, CaseIterable, Sendable {
    /// Single precision throughout: the reference's embeddings to 1e-4.
    case fp32
    /// Weights and the products' inputs rounded to bfloat16, products summed in fp32: about twice
    /// fp32's rate on CPUs with bf16 dot products (AVX512_BF16), and only there.
    case bf16
    /// Weights quantized to int8 per output channel and each input row to int8 on its own (its
    /// scale its largest magnitude), exact int32 sums scaled back to fp32: about 2.5 times bf16's
    /// rate in the products on CPUs with int8 dot products (AVX-512 VNNI), and only there.
    case int8
    /// The fastest of int8 and bf16 whose embeddings of ``PrecisionProbe``'s texts are within its
    /// bound of fp32's, on a CPU that has its dot products; fp32 otherwise.
    case automatic = "auto"

    /// The choices as a user writes them.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether this CPU runs bf16 products on its own instructions.
    public static var bf16Supported: Bool { MatrixProducts.bf16Kernels }

    /// Whether this CPU runs int8 products on its own instructions.
    public static var int8Supported: Bool { MatrixProducts.int8Kernels }

    /// Whether this CPU runs the precision's products (fp32 and automatic everywhere).
    public var isSupported: Bool {
        switch self {
        case .fp32, .automatic: true
        case .bf16: Self.bf16Supported
        case .int8: Self.int8Supported
        }
    }

    /// What `automatic` tries, fastest first, before fp32.
    static let reducedByRate: [Precision] = [.int8, .bf16]

    /// Reads a user's choice; `place` names where it was written (an option or a job file key).
    public init(parsing text: String, place: String) throws {
        guard let precision = Precision(rawValue: text) else {
            throw FlowError(.invalidJob, "\(place) \"\(text)\" is not a precision; use one of \(Self.names)")
        }
        guard precision.isSupported else {
            let instructions = precision == .bf16 ? "bf16 dot products (AVX512_BF16)" : "int8 dot products (AVX-512 VNNI)"
            throw FlowError(.invalidJob, "\(place) \(text) needs a CPU with \(instructions), which this one lacks; use fp32 or auto")
        }
        self = precision
    }
}
