import Flow

/// A cluster worker's counts in a job's metrics, as its stages report them: tweets read and
/// set aside, windows emitted (as counters that gain what the stages' totals gained), and the key
/// groups it owns now (a level).
final class WorkerMeters {
    private let tweets, setAside, windowsEmitted: Counter
    private let keyGroups: Level
    private var last = (tweets: 0, setAside: 0, windowsEmitted: 0)

    init(_ metrics: JobMetrics) {
        let ingest = metrics.scope(operatorID: "ingest", subtask: 0)
        tweets = ingest.counter("tweets")
        setAside = ingest.counter("set aside")
        windowsEmitted = metrics.scope(operatorID: "merge", subtask: 0).counter("windows emitted")
        keyGroups = metrics.scope(operatorID: "key-groups", subtask: 0).level("key groups owned")
    }

    func update(tweets: Int, setAside: Int, keyGroups: Int, windowsEmitted: Int) {
        self.tweets.add(max(tweets - last.tweets, 0))
        self.setAside.add(max(setAside - last.setAside, 0))
        self.windowsEmitted.add(max(windowsEmitted - last.windowsEmitted, 0))
        last = (max(tweets, last.tweets), max(setAside, last.setAside), max(windowsEmitted, last.windowsEmitted))
        self.keyGroups.set(Int64(keyGroups))
    }
}
