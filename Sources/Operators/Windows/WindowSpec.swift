import Flow

/// Tumbling or sliding windows aligned to the epoch: `[end − size, end)` for every `end` that is
/// a multiple of `slide`. Tumbling windows are sliding windows whose slide is their size.
public struct WindowSpec: Sendable, Equatable {
    /// Window length in milliseconds.
    public var size: Int64
    /// Distance between window ends in milliseconds; divides `size`.
    public var slide: Int64

    /// The most slices one window may span: each late record can touch that many windows, and
    /// each key's running totals are kept per slice.
    public static let maximumSlicesPerWindow: Int64 = 100_000

    /// - Throws: when the slide does not divide the size, either is not positive, or the window
    ///   spans more than ``maximumSlicesPerWindow`` slides.
    public init(size: Duration, slide: Duration) throws {
        self.size = size.milliseconds
        self.slide = slide.milliseconds
        guard self.slide > 0, self.size > 0 else {
            throw FlowError(.invalidJob, "window size and slide must be positive durations")
        }
        guard self.size % self.slide == 0 else {
            throw FlowError(.invalidJob, "window size \(self.size)ms is not a multiple of its slide \(self.slide)ms; choose a slide that divides the size")
        }
        guard self.size / self.slide <= Self.maximumSlicesPerWindow else {
            throw FlowError(.invalidJob, "a window of \(self.size)ms sliding by \(self.slide)ms spans \(self.size / self.slide) slides, more than the \(Self.maximumSlicesPerWindow) supported; choose a longer slide")
        }
    }

    /// Slices (slide-long panes) per window.
    public var slicesPerWindow: Int64 { size / slide }

    /// The slice holding event time `time`.
    @inlinable
    public func slice(of time: Int64) -> Int64 { time.flooredDivision(by: slide) }
}
