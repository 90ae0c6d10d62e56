import Foundation
import Flow
import Operators
import TweetLog

/// Operator state as a checkpoint holds it, past its file's checks (a forged or buggy
/// snapshot): every stateful operator of the shipped jobs restores from it, then takes a
/// watermark and the end of input. A restore may refuse the state with an error; none may trap.
enum OperatorStateTarget {
    static func run(_ bytes: [UInt8]) -> String? {
        restoreEveryOperator { declared in
            [snapshot(states: declared.map { declaration in
                NamedState(name: declaration.name, redistribution: declaration.redistribution,
                           entries: [StateEntry(keyGroup: declaration.redistribution == .keyed ? 0 : nil, bytes: bytes)])
            })]
        }
        return nil
    }

    /// One subtask's snapshot holding `states`, as subtask 0 of 1.
    static func snapshot(states: [NamedState]) -> OperatorSnapshot {
        OperatorSnapshot(operatorID: "operator-under-test", subtask: 0, parallelism: 1,
                         keyGroupRange: KeyGroupRange(lowerBound: 0, upperBound: 128), states: states)
    }

    /// Restores every stateful operator from the snapshots `snapshots` makes for what it declares.
    static func restoreEveryOperator(from snapshots: ([StateDeclaration]) -> [OperatorSnapshot]) {
        let spec = try! WindowSpec(size: .seconds(30), slide: .seconds(10))
        exercise(snapshots) { context in BoundedOutOfOrdernessWatermarks<Tweet>(delay: .seconds(5), context: context) }
        exercise(snapshots) { context in
            SequencedWatermarks<Tweet>(delay: .seconds(5), earlier: SequencedWatermarks<Tweet>.sharedPrefix(), context: context)
        }
        exercise(snapshots) { context in HashtagExtractor(context: context) }
        for emission in [SlicedWindowOperator<Hashtag, KeyString, CountAggregation<Hashtag>>.Emission.allKeys, .largest(k: 3)] {
            for lateness in [Duration.zero, .seconds(20)] {
                exercise(snapshots) { context in
                    try SlicedWindowOperator(spec: spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                             emission: emission, allowedLateness: lateness, context: context)
                }
            }
        }
        exercise(snapshots) { context in
            try SessionWindowOperator(gap: .seconds(30), key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                      context: context)
        }
        exercise(snapshots) { _ in TopKMergeOperator<KeyString, Int64>(k: 3, isGreater: >, allowedLateness: .seconds(20)) }
        exercise(snapshots) { _ in WindowResultMerge<KeyString, Int64>() }
        let sideFile = SideFile(path: scratchFolder + "/side.jsonl", what: "side file")
        exercise(snapshots) { context in try SideFileSink<LateRecord>(file: sideFile, context: context) }
        exercise(snapshots) { context in
            RollingFileSink<Int>(folder: scratchFolder + "/parts", fileExtension: "csv", header: "n\n", policy: RollingPolicy(bytes: 64),
                                 context: context) { "\($0)\n" }
        }
    }

    /// Where the side-file sink's and the rolling sink's parts go (they are cut back to what a forged
    /// state says, or refused).
    private static let scratchFolder: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flow-fuzz-side-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }()

    /// Restores one operator, then moves its time on and ends its input; errors are fine.
    private static func exercise<Op: Operator>(_ snapshots: ([StateDeclaration]) -> [OperatorSnapshot],
                                               _ make: (SubtaskContext) throws -> Op) {
        guard let declared = try? OperatorHarness(make).op.declaredState,
              let harness = try? OperatorHarness(restoringFrom: snapshots(declared), make) else { return }
        try? harness.process(watermark: 1_609_459_200_000)
        try? harness.finish()
    }
}
