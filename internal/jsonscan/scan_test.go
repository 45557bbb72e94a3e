package jsonscan

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"testing"
)

// The word-at-a-time tests must find exactly the byte the byte table does.

// firstSpecial is the index of the first special byte of w, 8 if none, as
// str finds it.
func firstSpecial(w uint64) int { return bits.TrailingZeros64(stringSpecials(w)) >> 3 }

func slowFirstSpecial(w uint64) int {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], w)
	for i, c := range b {
		if stringSpecial[c] {
			return i
		}
	}
	return 8
}

func TestStringSpecialsEveryByte(t *testing.T) {
	fills := []byte{'a', 0xff, 0x20, 0x80, '"' + 1, '\\' - 1, 0x00, '"', '\\', 0x1f, 0x01}
	for pos := range 8 {
		for c := range 256 {
			for _, fill := range fills {
				for _, above := range fills { // the bytes above pos
					var b [8]byte
					for i := range b {
						b[i] = fill
						if i > pos {
							b[i] = above
						}
					}
					b[pos] = byte(c)
					w := binary.LittleEndian.Uint64(b[:])
					if got, want := firstSpecial(w), slowFirstSpecial(w); got != want {
						t.Fatalf("firstSpecial(% x) = %d, want %d", b, got, want)
					}
				}
			}
		}
	}
}

func FuzzStringSpecials(f *testing.F) {
	f.Add(uint64(0x6161616161616161))
	f.Add(uint64(0x2222222222222222))
	f.Add(uint64(0x1f20212223245c5d))
	f.Add(uint64(0x0100000000000000))
	f.Fuzz(func(t *testing.T, w uint64) {
		if got, want := firstSpecial(w), slowFirstSpecial(w); got != want {
			t.Fatalf("firstSpecial(%#x) = %d, want %d", w, got, want)
		}
	})
}

// TestElements reads arrays with and without white space around elements,
// as Next validates them, and compares with encoding/json's elements.
func TestElements(t *testing.T) {
	for _, array := range []string{
		`[]`, `[ ]`, "[\n\t ]", `["a"]`, `[ "a" ]`, `["a","b"]`, `[ "a" , "b" ]`,
		"[\n1,\r\n{\"x\":[2]} ,\t[3, 4] ,null]", `[[],{}]`, `["\"]", "],["]`,
	} {
		var want []json.RawMessage
		if err := json.Unmarshal([]byte(array), &want); err != nil {
			t.Fatalf("%s: %v", array, err)
		}
		obj := Members([]byte(`{"k":` + array + `}`))
		_, value, ok := obj.Next()
		if !ok {
			t.Fatalf("%s: not valid", array)
		}
		var got []string
		elems := Elements(value)
		for elem, ok := elems.Next(); ok; elem, ok = elems.Next() {
			got = append(got, string(elem))
		}
		if _, more := elems.Next(); more {
			t.Errorf("%s: Next after the end gave an element", array)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %q, want %d elements %q", array, got, len(want), want)
		}
		for i := range want {
			if got[i] != string(want[i]) {
				t.Errorf("%s: element %d is %q, want %q", array, i, got[i], want[i])
			}
		}
	}
}

// FuzzPlainFlags checks the plainness Next and Array.Next note while
// scanning against the function Plain, on every member and element of
// every valid object.
func FuzzPlainFlags(f *testing.F) {
	f.Add([]byte(`{"a":"b","c\/":"d\u00e9","é":["x","\n","` + "\xff" + `"],"n":1,"o":{"p":"q"},"s":"ok"}`))
	f.Add([]byte(`{"k":"0123456789abcdef\"","long key without escapes":"` + "caf\xc3\xa9 au lait, \xe9t\xe9" + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		obj := Members(data)
		for {
			key, value, ok := obj.Next()
			if !ok {
				break
			}
			keyPlain, valuePlain := obj.Plain()
			if _, want := Plain(key); keyPlain != want {
				t.Fatalf("%q: key %s plain %v, want %v", data, key, keyPlain, want)
			}
			want := false
			if value[0] == '"' {
				_, want = Plain(value)
			}
			if valuePlain != want {
				t.Fatalf("%q: value %s plain %v, want %v", data, value, valuePlain, want)
			}
			if value[0] != '[' {
				continue
			}
			elems := Elements(value)
			for elem, ok := elems.Next(); ok; elem, ok = elems.Next() {
				want := false
				if elem[0] == '"' {
					_, want = Plain(elem)
				}
				if got := elems.Plain(); got != want {
					t.Fatalf("%q: element %s plain %v, want %v", data, elem, got, want)
				}
			}
		}
	})
}
