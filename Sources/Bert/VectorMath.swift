import CEncoderKernels

/// The encoder's elementwise functions and row reductions, eight values at a time. GELU and the
/// softmax's exponentials run in C (`VectorFunctions.h`), compiled for AVX2 with FMA as well as
/// for baseline x86-64, since Swift code is compiled for the baseline only.
enum VectorMath {
    /// GELU (with the error function) of every value, in place.
    static func gelu(_ values: UnsafeMutableBufferPointer<Float>) { flow_gelu(values.baseAddress, values.count) }

    /// eˣ of every value, in place; the values must not be positive (softmax after subtracting
    /// the row's largest).
    static func expOfNonPositive(_ values: UnsafeMutableBufferPointer<Float>) { flow_exp_of_non_positive(values.baseAddress, values.count) }

    /// The sum of `count` values, in eight running sums (so in an order that depends only on
    /// `count`, not on the values' address).
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        reduce(values, count: count, initial: 0) { $0 + $1 } combine: { $0 + $1 }
    }

    /// The sum of `(value − center)²` over `count` values, in the same order as ``sum(_:count:)``.
    @inline(__always)
    static func sumOfSquares(_ values: UnsafePointer<Float>, count: Int, center: Float) -> Float {
        reduce(values, count: count, initial: 0) { partial, x in
            let centered = x - center
            return partial + centered * centered
        } combine: { $0 + $1 }
    }

    /// The largest of `count` values (−∞ for none).
    @inline(__always)
    static func maximum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        reduce(values, count: count, initial: -.infinity) { $0.replacing(with: $1, where: $1 .> $0) } combine: { max($0, $1) }
    }

    /// Folds whole groups of eight lane by lane, then the lanes and the last few values in order.
    @inline(__always)
    private static func reduce(_ values: UnsafePointer<Float>, count: Int, initial: Float,
                               _ step: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>, combine: (Float, Float) -> Float) -> Float {
        let whole = count / 8 * 8
        let raw = UnsafeRawPointer(values)
        var lanes = SIMD8<Float>(repeating: initial)
        for offset in stride(from: 0, to: whole, by: 8) {
            lanes = step(lanes, raw.loadUnaligned(fromByteOffset: offset * 4, as: SIMD8<Float>.self))
        }
        var result = initial
        for lane in 0..<8 { result = combine(result, lanes[lane]) }
        if whole < count {
            var tail = SIMD8<Float>(repeating: initial)
            for lane in 0..<(count - whole) { tail[lane] = values[whole + lane] }
            let last = step(SIMD8<Float>(repeating: initial), tail)
            for lane in 0..<(count - whole) { result = combine(result, last[lane]) }
        }
        return result
    }
}
