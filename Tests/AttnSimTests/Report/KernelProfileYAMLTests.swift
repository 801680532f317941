import Foundation
import Testing
@testable import AttnSim

/// `attnsim fit-gpu` writes fitted profiles back into a hardware file: what it writes must load to the same profile,
/// and the file's other entries must stay as they were.
@Suite struct KernelProfileYAMLTests {
    @Test func fittedProfilesRoundTripThroughTheHardwareFile() throws {
        let path = Repo.path("hardware/h200-sxm.yaml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let original = try HardwareSpec.parse(text: text, file: path)
        var flex = try #require(original.kernels["flex"])
        flex.efficiencyByHeadDim = [64: 0.41, 128: 0.5, 256: 0.55]
        flex.maskCost = MaskOperationCost(base: 0.07, simple: 0.01, division: 0.02, divisionTensor: 0.09, load: 0.03)
        flex.perCTA = 4.5e-6
        flex.maskBuild = MaskBuildCost(fixed: 3e-3, perElement: 5e-13, cycleScale: 1.2)
        flex.heldOut = HeldOutSpread(time: 0.9...1.1, speedup: 0.85...1.05, configs: 44)
        flex.sources = ["a \"quoted\" source"]
        var added = KernelProfile(qTileTokens: 64, kvTileTokens: 64, efficiency: 0.5, perCTA: 1e-6)
        added.masks = ["none"]
        let written = HardwareSpec.replacingProfiles(in: text, name: "my-h200", profiles: ["flex": flex, "newkernel": added])
        let loaded = try HardwareSpec.parse(text: written, file: "my-h200.yaml")
        #expect(loaded.name == "my-h200")
        #expect(loaded.kernels["flex"] == flex)
        #expect(loaded.kernels["newkernel"] == added)
        #expect(loaded.kernels["flash"] == original.kernels["flash"])
        #expect(loaded.kernels["fna-hopper"] == original.kernels["fna-hopper"])
        #expect(loaded.memory == original.memory && loaded.sources == original.sources)
    }
}
