/// End-to-end speedup from an attention speedup by Amdahl's law, over a step schedule in which the first
/// `denseSteps` of `totalSteps` keep dense attention (the "#SA steps" of GNA paper Tables 2–4).
///
/// Time of a sparse step relative to a dense one is (1 − a) + a/s for attention share a and attention
/// speedup s; the end-to-end speedup is total / (dense + (total − dense)·((1 − a) + a/s)).
/// Check (GNA paper Tables 2–4, HunyuanVideo 18×24×24, stride 16×8×8): a = 0.607, s = 11.11 gives 2.23 with 0 dense
/// steps and 1.63 with 15 of 50.
public enum EndToEnd {
    public static func speedup(attentionSpeedup s: Double, model: ModelRollup) -> Double {
        let a = model.attentionShare
        let sparseStep = (1 - a) + a / s
        guard let total = model.totalSteps else { return 1 / sparseStep }
        let dense = Double(model.denseSteps ?? 0)
        let steps = Double(total)
        return steps / (dense + (steps - dense) * sparseStep)
    }
}
