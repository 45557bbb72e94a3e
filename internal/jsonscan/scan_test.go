package jsonscan

import (
	"encoding/binary"
	"testing"
)

// The word-at-a-time tests must answer exactly as the byte tables do.

func slowStringSpecial(w uint64) bool {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], w)
	for _, c := range b {
		if stringSpecial[c] {
			return true
		}
	}
	return false
}

func TestHasStringSpecialEveryByte(t *testing.T) {
	for pos := range 8 {
		for c := range 256 {
			for _, fill := range []byte{'a', 0xff, 0x20, 0x80, '"' + 1, '\\' - 1} {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				w := binary.LittleEndian.Uint64(b[:])
				if got, want := hasStringSpecial(w), slowStringSpecial(w); got != want {
					t.Fatalf("hasStringSpecial(% x) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

func FuzzHasStringSpecial(f *testing.F) {
	f.Add(uint64(0x6161616161616161))
	f.Add(uint64(0x2222222222222222))
	f.Add(uint64(0x1f20212223245c5d))
	f.Fuzz(func(t *testing.T, w uint64) {
		if got, want := hasStringSpecial(w), slowStringSpecial(w); got != want {
			t.Fatalf("hasStringSpecial(%#x) = %v, want %v", w, got, want)
		}
	})
}
