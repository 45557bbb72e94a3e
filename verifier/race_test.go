//go:build race

package verifier_test

// raceEnabled: the race detector slows decoding far more than RSA, so
// ratios to a verification are only meaningful without it.
const raceEnabled = true
