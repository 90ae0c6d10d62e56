import Bert
import Flow
import Foundation
import Testing

/// A weights file comes from outside: its header's sizes and offsets are checked before use, so a
/// damaged or hostile file is refused in one sentence, never a trap or a read past its bytes.
struct SafeTensorsTests {
    /// A safetensors file: the header's length (8 bytes, little-endian), the header, the data.
    static func file(_ header: String, _ data: [UInt8]) -> Data {
        let json = Data(header.utf8)
        return Data(withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init)) + json + Data(data)
    }

    @Test func valuesOfEachFormatReadAsTheirShapeSays() throws {
        let one32 = withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian, Array.init)
        let one16 = withUnsafeBytes(of: Float16(-2).bitPattern.littleEndian, Array.init)
        let bf16: [UInt8] = [0x80, 0x3f]  // 1.0 in bfloat16 (0x3f80)
        let file = try SafeTensors(data: Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[1,1],"data_offsets":[4,6]},"c":{"dtype":"BF16","shape":[],"data_offsets":[6,8]},"__metadata__":{"format":"pt"}}"#,
                                                      one32 + one16 + bf16), path: "w.safetensors")
        #expect(try file.floats("a") == [1.5])
        #expect(try file.floats("b") == [-2])
        #expect(try file.floats("c") == [1])
        #expect(file.tensors["b"]?.count == 1)
    }

    @Test(arguments: [
        #"{"t":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}"#,
        #"{"t":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,4]}}"#,
        #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[-8,4]}}"#,
        #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,9223372036854775807]}}"#,
        #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#,
        #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#,
    ])
    func sizesAndOffsetsBeyondTheFileAreRefused(header: String) throws {
        let error = #expect(throws: FlowError.self) { try SafeTensors(data: Self.file(header, [0, 0, 0, 0]), path: "w.safetensors") }
        #expect(error?.message.hasPrefix("w.safetensors is not a usable safetensors file (tensor t is described wrongly)") == true, "\(String(describing: error))")
    }

    @Test func aShapeThatDoesNotMatchItsBytesOrAnUnknownFormatIsRefused() throws {
        let file = try SafeTensors(data: Self.file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]},"u":{"dtype":"I64","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]),
                                   path: "w.safetensors")
        let mismatch = #expect(throws: FlowError.self) { try file.floats("t") }
        #expect(mismatch?.message.contains("has a byte size that does not match its shape") == true)
        let unknown = #expect(throws: FlowError.self) { try file.floats("u") }
        #expect(unknown?.message.contains("has dtype I64; Flow reads F32, F16 and BF16 weights") == true)
        let header = #expect(throws: FlowError.self) { try SafeTensors(data: Data([255, 255, 255, 255, 255, 255, 255, 127, 0]), path: "w.safetensors") }
        #expect(header?.message.contains("its header length runs past the end") == true)
    }
}
