/// The encoder's elementwise functions, eight values at a time: GELU with the error function,
/// `x·Φ(x) = ½·x·(1 + erf(x/√2))` (not the tanh approximation), and `eˣ` for softmax. erf comes
/// from Abramowitz and Stegun's formula 7.1.26 (absolute error below 1.5e-7), `exp` from a range
/// reduction to `2ⁿ·eʳ` with a degree-6 polynomial (relative error about 2e-7): both far below
/// float32's noise in the encoder. Every value goes through the same lanes' arithmetic, the last
/// few included, so a value's result does not depend on where it sits in the buffer.
enum VectorMath {
    /// GELU of every value, in place.
    static func gelu(_ values: UnsafeMutableBufferPointer<Float>) { map(values, gelu) }

    /// eˣ of every value, in place; the values must not be positive (softmax after subtracting
    /// the row's largest).
    static func expOfNonPositive(_ values: UnsafeMutableBufferPointer<Float>) { map(values, exp) }

    @inline(__always)
    private static func map(_ values: UnsafeMutableBufferPointer<Float>, _ function: (SIMD8<Float>) -> SIMD8<Float>) {
        guard let base = values.baseAddress else { return }
        let whole = values.count / 8 * 8
        let raw = UnsafeMutableRawPointer(base)
        for offset in stride(from: 0, to: whole, by: 8) {
            let x = raw.loadUnaligned(fromByteOffset: offset * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: function(x), toByteOffset: offset * 4, as: SIMD8<Float>.self)
        }
        guard whole < values.count else { return }
        var tail = SIMD8<Float>(repeating: 0)
        for lane in 0..<(values.count - whole) { tail[lane] = base[whole + lane] }
        let result = function(tail)
        for lane in 0..<(values.count - whole) { base[whole + lane] = result[lane] }
    }

    @inline(__always)
    static func gelu(_ x: SIMD8<Float>) -> SIMD8<Float> {
        0.5 * x * (1 + erf(x * 0.70710678118654752))
    }

    @inline(__always)
    static func erf(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let z = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.3275911 * z)
        var polynomial = 1.061405429 * t - 1.453152027
        polynomial = polynomial * t + 1.421413741
        polynomial = polynomial * t - 0.284496736
        polynomial = polynomial * t + 0.254829592
        polynomial *= t
        let magnitude = 1 - polynomial * exp(-z * z)
        return magnitude.replacing(with: -magnitude, where: x .< 0)
    }

    /// eˣ for x ≤ 0 (below −87.3 the result is taken at −87.3, about 1e-38).
    @inline(__always)
    static func exp(_ input: SIMD8<Float>) -> SIMD8<Float> {
        let x = input.replacing(with: -87.3, where: input .< -87.3)
        // Adding 1.5·2²³ rounds x·log₂e to the integer n, left in the low mantissa bits.
        let magic: Float = 12_582_912
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        let r = x - n * 0.693145751953125 - n * 1.42860682030941723212e-6
        var p = SIMD8<Float>(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        return p * unsafeBitCast((exponent &+ 127) &<< 23, to: SIMD8<Float>.self)
    }
}
