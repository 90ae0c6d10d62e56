/// Samples ranks `0..<count` with probability proportional to `1 / (rank + 1)^s`.
///
/// The exponent is given in eighths (`s = eighths / 8`) so the weights need only
/// multiplication, division and `squareRoot()`, which IEEE 754 rounds exactly on
/// every platform — unlike `pow`, whose last bit may differ between C libraries.
struct ZipfSampler: Sendable {
    private let cumulative: [Double]

    init(count: Int, exponentEighths: Int) {
        precondition(count > 0 && exponentEighths >= 0)
        var cumulative = [Double]()
        cumulative.reserveCapacity(count)
        var total = 0.0
        for rank in 1...count {
            let k = Double(rank)
            let eighthRoot = k.squareRoot().squareRoot().squareRoot()
            var power = 1.0
            for _ in 0..<(exponentEighths / 8) { power *= k }
            for _ in 0..<(exponentEighths % 8) { power *= eighthRoot }
            total += 1 / power
            cumulative.append(total)
        }
        self.cumulative = cumulative
    }

    var count: Int { cumulative.count }

    func sample(_ random: inout SeededRandom) -> Int {
        let target = random.unit() * cumulative[cumulative.count - 1]
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) >> 1
            if cumulative[mid] <= target { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
