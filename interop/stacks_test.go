//go:build interop

package interop_test

import "testing"

// testStacks is filled in once the middleware packages land.
func testStacks(t *testing.T, s *seeded) {}
