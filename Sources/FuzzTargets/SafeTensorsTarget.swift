import Bert
import Flow
import Foundation

/// A model's weights file (`model.safetensors`): anyone who hands over a model folder writes it.
/// It opens or is refused with a ``FlowError``; every tensor it describes reads as exactly its
/// shape's count of values or is refused; nothing may trap.
enum SafeTensorsTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        let file: SafeTensors
        do {
            file = try SafeTensors(data: Data(bytes), path: "fuzz.safetensors")
        } catch is FlowError {
            return nil
        } catch {
            return "a safetensors file raised \(error) instead of a FlowError"
        }
        for (name, tensor) in file.tensors.sorted(by: { $0.key < $1.key }) {
            do {
                let values = try file.floats(name)
                guard values.count == tensor.count else { return "tensor \(name) read \(values.count) values for a shape of \(tensor.count)" }
            } catch is FlowError {
            } catch {
                return "tensor \(name) raised \(error) instead of a FlowError"
            }
        }
        return nil
    }
}
