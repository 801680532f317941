import AttnSimCLI

// The commands live in the AttnSimCLI library, so the fuzzer (fuzz/README.md) can drive argument vectors too.
AttnSimCommand.runExitingWithStatus2OnBadInput()
