import Flow
import FlowTesting
import Operators

/// Operator state as a checkpoint holds it, past its file's checks (a forged or buggy
/// snapshot): every stateful operator of the shipped jobs restores from it, then takes a
/// watermark and the end of input. A restore may refuse the state with an error; none may trap.
enum OperatorStateTarget {
    static func run(_ bytes: [UInt8]) -> String? {
        restoreEveryOperator(from: OperatorRestore(checkpointID: 1, shared: [bytes], keyGroups: [(group: 0, state: bytes)]))
        return nil
    }

    static func restoreEveryOperator(from restore: OperatorRestore) {
        let late = LateRecordFile(path: nil)
        let spec = try! WindowSpec(size: .seconds(30), slide: .seconds(10))
        exercise(OperatorHarness<LineChunk, Tweet>.self, restore) { output, context in
            try TweetDecodeOperator(output: output, rejects: RejectFile(path: nil), context: context)
        }
        exercise(OperatorHarness<Tweet, Tweet>.self, restore) { output, context in
            try BoundedOutOfOrdernessWatermarks(output: output, delay: .seconds(5), context: context)
        }
        exercise(OperatorHarness<Tweet, Hashtag>.self, restore) { output, context in
            try HashtagExtractor(output: output, context: context)
        }
        for emission in [SlicedWindowOperator<Hashtag, KeyString, CountAggregation<Hashtag>>.Emission.allKeys, .largest(k: 3)] {
            exercise(OperatorHarness<Hashtag, KeyedCount>.self, restore) { output, context in
                try SlicedWindowOperator(output: output, spec: spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                         emission: emission, allowedLateness: .seconds(20), lateRecords: late, context: context)
            }
        }
        exercise(OperatorHarness<Hashtag, KeyedCount>.self, restore) { output, context in
            try SessionWindowOperator(output: output, gap: .seconds(30), key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                      lateRecords: late, context: context)
        }
        exercise(OperatorHarness<KeyedCount, RankedCount>.self, restore) { output, context in
            try TopKMergeOperator(output: output, k: 3, isGreater: >, allowedLateness: .seconds(20), context: context)
        }
        exercise(OperatorHarness<KeyedCount, KeyedCount>.self, restore) { output, context in
            try WindowResultMerge(output: output, context: context)
        }
    }

    /// Restores one operator, then moves its time on and ends its input; errors are fine.
    private static func exercise<In, Out>(_ harness: OperatorHarness<In, Out>.Type, _ restore: OperatorRestore,
                                          _ make: (Output<Out>, SubtaskContext) throws -> any ElementReceiver<In>) {
        guard let harness = try? OperatorHarness<In, Out>(restored: restore, make) else { return }
        try? harness.process(watermark: 1_609_459_200_000)
        try? harness.finish()
    }
}
