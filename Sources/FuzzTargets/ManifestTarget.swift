import Flow
import Foundation

/// A checkpoint manifest: decoded as a restore reads it.
enum ManifestTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        _ = try? JSONDecoder().decode(CheckpointManifest.self, from: Data(bytes))
        return nil
    }
}
