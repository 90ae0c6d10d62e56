import CEncoderKernels

/// The encoder's elementwise functions and row reductions, in C (`VectorFunctions.h`) compiled
/// for AVX-512 and for AVX2 with FMA as well as for baseline x86-64, since Swift code is compiled
/// for the baseline only.
enum VectorMath {
    /// GELU (with the error function) of every value, in place.
    static func gelu(_ values: UnsafeMutableBufferPointer<Float>) { flow_gelu(values.baseAddress, values.count) }

    /// eˣ of every value, in place; the values must not be positive (softmax after subtracting
    /// the row's largest).
    static func expOfNonPositive(_ values: UnsafeMutableBufferPointer<Float>) { flow_exp_of_non_positive(values.baseAddress, values.count) }

    /// The sum of `count` values, in an order that depends only on `count`.
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float { flow_sum(values, count) }

    /// Layer norm of one row in place (see `VectorFunctions.h`).
    static func layerNorm(_ row: UnsafeMutablePointer<Float>, width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float) {
        flow_layer_norm(row, width, gamma, beta, epsilon)
    }

    /// The softmax of `scale` times the row (`scale` > 0), in place.
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int, scale: Float) { flow_softmax(row, count, scale) }
}
