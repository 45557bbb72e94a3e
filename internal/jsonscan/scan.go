// Package jsonscan reads JSON objects member by member, with exactly the
// grammar, nesting limit and string decoding of encoding/json, but without
// reflection and without allocating. The token decoders use it to find the
// few members they read; they are fuzzed against encoding/json
// (claims.FuzzDecodeAgreement, verifier.FuzzHeaderAgreement).
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is encoding/json's nesting limit: a text with more than this many
// containers open at once is a syntax error there, so it is one here too.
const maxDepth = 10000

// Object iterates over the members of a JSON text that must be one object.
// The zero value is not usable; start with Members.
//
// The scanning functions below take the text and a position and return the
// position after what they read, -1 for a syntax error: the position then
// stays in a register, which a method moving a field of *Object could not.
type Object struct {
	data  []byte
	pos   int
	state uint8
	// keyPlain and valuePlain: see Plain.
	keyPlain, valuePlain bool
}

const (
	stateStart = iota
	stateMember
	stateDone
	stateInvalid
)

// Members returns an iterator over the members of the object data holds.
func Members(data []byte) Object { return Object{data: data} }

// Next returns the next member's key and value exactly as written: the key
// with its quotes, the value without the white space around it. It returns
// ok false after the last member, having checked that nothing but white
// space follows the object, or at the first syntax error; Valid then tells
// the two apart. The whole text is valid JSON only if Next was called until
// it returned false and Valid reports true.
func (o *Object) Next() (key, value []byte, ok bool) {
	d, i := o.data, o.pos
	switch o.state {
	case stateStart:
		i = skipSpace(d, i)
		if i >= len(d) || d[i] != '{' {
			return o.fail()
		}
		i = skipSpace(d, i+1)
		if i < len(d) && d[i] == '}' {
			return o.end(i + 1)
		}
	case stateMember:
		i = skipSpace(d, i)
		if i < len(d) && d[i] == '}' {
			return o.end(i + 1)
		}
		if i >= len(d) || d[i] != ',' {
			return o.fail()
		}
		i = skipSpace(d, i+1)
	default:
		return nil, nil, false
	}
	k := i
	i, keyPlain := scanString(d, i)
	if i < 0 {
		return o.fail()
	}
	key = d[k:i]
	i = skipSpace(d, i)
	if i >= len(d) || d[i] != ':' {
		return o.fail()
	}
	v := skipSpace(d, i+1)
	i, valuePlain := scanValue(d, v, 1)
	if i < 0 {
		return o.fail()
	}
	o.pos, o.state, o.keyPlain, o.valuePlain = i, stateMember, keyPlain, valuePlain
	return key, d[v:i], true
}

// Plain reports, for the member Next returned last, whether its key, and
// its value if that is a string, are written exactly as their decoded
// value: no escapes, valid UTF-8. Their contents are then quoted[1:len-1],
// as the function Plain would return, which need not be called again.
func (o *Object) Plain() (key, value bool) { return o.keyPlain, o.valuePlain }

// Valid reports whether the text read so far is free of syntax errors.
func (o *Object) Valid() bool { return o.state != stateInvalid }

// end checks that only white space follows the object, which ended at i.
func (o *Object) end(i int) ([]byte, []byte, bool) {
	if skipSpace(o.data, i) != len(o.data) {
		return o.fail()
	}
	o.pos, o.state = len(o.data), stateDone
	return nil, nil, false
}

func (o *Object) fail() ([]byte, []byte, bool) {
	o.state = stateInvalid
	return nil, nil, false
}

// Array iterates over the elements of a JSON array that Next has already
// validated. The zero value is not usable; start with Elements.
type Array struct {
	data  []byte
	pos   int
	state uint8
	plain bool
}

// Elements returns an iterator over the elements of array, a JSON array
// value that Next has already validated.
func Elements(array []byte) Array { return Array{data: array, pos: 1} } // past '['

// Next returns the next element exactly as written, or ok false after the
// last. (A plain method rather than an iter.Seq: the compiler can then see
// that array does not escape.)
func (a *Array) Next() (elem []byte, ok bool) {
	d, i := a.data, skipSpace(a.data, a.pos)
	switch {
	case i >= len(d) || a.state == stateDone:
		a.state = stateDone
		return nil, false
	case a.state == stateStart:
		if d[i] == ']' {
			a.state = stateDone
			return nil, false
		}
	default:
		if d[i] != ',' { // so the closing ']'
			a.state = stateDone
			return nil, false
		}
		i = skipSpace(d, i+1)
	}
	v := i
	i, plain := scanValue(d, i, 1)
	if i < 0 { // not the validated array it must be
		a.state = stateDone
		return nil, false
	}
	a.pos, a.state, a.plain = i, stateMember, plain
	return d[v:i], true
}

// Plain reports whether the element Next returned last is a string written
// exactly as its decoded value, as Object.Plain does for values.
func (a *Array) Plain() bool { return a.plain }

// skipSpace returns the position of the first byte from i on that is not
// JSON white space.
func skipSpace(d []byte, i int) int {
	for i < len(d) && d[i] <= ' ' && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// scanValue reads the value at i; depth counts the containers open around
// it. plain is whether it is a string written as its decoded value.
func scanValue(d []byte, i, depth int) (end int, plain bool) {
	if i >= len(d) {
		return -1, false
	}
	switch c := d[i]; {
	case c == '"':
		return scanString(d, i)
	case c == '-' || c >= '0' && c <= '9':
		return scanNumber(d, i), false
	case c == '{' || c == '[':
		return scanContainer(d, i, depth+1), false
	case c == 't':
		return scanLiteral(d, i, "true"), false
	case c == 'f':
		return scanLiteral(d, i, "false"), false
	case c == 'n':
		return scanLiteral(d, i, "null"), false
	}
	return -1, false
}

// scanContainer reads the object or array at i; depth counts the
// containers open with it, itself included. It keeps the containers it
// opens in a bit stack (1 for an object) rather than recursing: a value
// nested 2,000 levels deep would otherwise grow the goroutine's stack by a
// frame per level, which cost more than the scan itself.
func scanContainer(d []byte, i, depth int) int {
	var small [4]uint64
	objects := small[:] // bit l: the container open at level l is an object
	level := 0          // containers open; the one at level-1 is innermost
	isObject := func() bool { l := level - 1; return objects[l>>6]>>(l&63)&1 == 1 }
	const (
		open    = iota // at the '{' or '[' of a container to open
		element        // at the next member or element
		after          // after a value: a ',' or the innermost closer
	)
	state := open
	for {
		switch state {
		case open:
			if depth+level > maxDepth {
				return -1
			}
			if level>>6 == len(objects) {
				objects = append(objects, make([]uint64, len(objects))...)
			}
			bit := uint64(1) << (level & 63)
			obj := d[i] == '{'
			if obj {
				objects[level>>6] |= bit
			} else {
				objects[level>>6] &^= bit
			}
			level++
			i = skipSpace(d, i+1)
			if i < len(d) && (obj && d[i] == '}' || !obj && d[i] == ']') {
				state = after
				continue // the empty container's closer, read by after
			}
			state = element
		case element:
			if isObject() {
				if i, _ = scanString(d, i); i < 0 {
					return -1
				}
				i = skipSpace(d, i)
				if i >= len(d) || d[i] != ':' {
					return -1
				}
				i = skipSpace(d, i+1)
			}
			if i < len(d) && (d[i] == '{' || d[i] == '[') {
				state = open
				continue
			}
			if i, _ = scanValue(d, i, depth+level-1); i < 0 {
				return -1
			}
			state = after
		case after:
			i = skipSpace(d, i)
			switch {
			case i >= len(d):
				return -1
			case d[i] == ',':
				i = skipSpace(d, i+1)
				state = element
			case isObject() && d[i] == '}' || !isObject() && d[i] == ']':
				i++
				level--
				if level == 0 {
					return i
				}
			default:
				return -1
			}
		}
	}
}

func scanLiteral(d []byte, i int, word string) int {
	if !bytes.HasPrefix(d[i:], []byte(word)) {
		return -1
	}
	return i + len(word)
}

// scanNumber reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func scanNumber(d []byte, i int) int {
	if d[i] == '-' {
		i++
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if j := scanDigits(d, i); j > i {
		i = j
	} else {
		return -1
	}
	if i < len(d) && d[i] == '.' {
		j := scanDigits(d, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := scanDigits(d, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func scanDigits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}

// scanString reads the string at i: no raw control characters, only the
// escapes JSON defines. Bytes that are not UTF-8 pass, as in encoding/json
// (decoding replaces them). plain is whether the string is written as its
// decoded value: no escapes and valid UTF-8.
func scanString(d []byte, i int) (end int, plain bool) {
	if i >= len(d) || d[i] != '"' {
		return -1, false
	}
	i++
	start := i
	var high uint64 // the bytes read, ORed: a byte above 0x7f shows in highs
	escaped := false
	for {
		// Eight bytes at a time while none is special; the first special
		// byte of a word is found exactly, and taken from the word. Then
		// byte by byte near the end.
		var c byte
		found := false
		for i+8 <= len(d) {
			w := binary.LittleEndian.Uint64(d[i:])
			if m := stringSpecials(w); m != 0 {
				shift := bits.TrailingZeros64(m) &^ 7 // of the special byte
				high |= w & (1<<shift - 1)
				i += shift >> 3
				c, found = byte(w>>shift), true
				break
			}
			high |= w
			i += 8
		}
		if !found {
			for i < len(d) && !stringSpecial[d[i]] {
				high |= uint64(d[i])
				i++
			}
			if i >= len(d) {
				return -1, false
			}
			c = d[i]
		}
		switch c {
		case '"':
			return i + 1, !escaped && (high&highs == 0 || utf8.Valid(d[start:i]))
		case '\\':
			escaped = true
			if i+1 >= len(d) {
				return -1, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := hex4(d[i+2:]); !ok {
					return -1, false
				}
				i += 6
			default:
				return -1, false
			}
		default: // a control character
			return -1, false
		}
	}
}

// Bit tricks on eight bytes at once ("Bit Twiddling Hacks", determine if a
// word has a byte less than n / equal to n). Each flags a byte by setting
// its high bit; a flag can be wrong only above a byte rightly flagged (a
// borrow carries upwards), so whether any is set, and the lowest one, are
// exact.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// zeroBytes flags the zero bytes of w.
func zeroBytes(w uint64) uint64 { return (w - ones) &^ w & highs }

// stringSpecials flags the bytes of w that are '"', '\\' or below 0x20: the
// three tests of zeroBytes' kind, masked once.
func stringSpecials(w uint64) uint64 {
	q, b := w^(ones*'"'), w^(ones*'\\')
	return ((w-ones*0x20)&^w | (q-ones)&^q | (b-ones)&^b) & highs
}

// stringSpecial marks the bytes that end the plain run of a string: the
// quote, the backslash and the control characters JSON forbids raw.
var stringSpecial = [256]bool{'"': true, '\\': true,
	0x00: true, 0x01: true, 0x02: true, 0x03: true, 0x04: true, 0x05: true, 0x06: true, 0x07: true,
	0x08: true, 0x09: true, 0x0a: true, 0x0b: true, 0x0c: true, 0x0d: true, 0x0e: true, 0x0f: true,
	0x10: true, 0x11: true, 0x12: true, 0x13: true, 0x14: true, 0x15: true, 0x16: true, 0x17: true,
	0x18: true, 0x19: true, 0x1a: true, 0x1b: true, 0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true,
}

// hex4 parses the four hex digits that start b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// Plain returns the contents of quoted, a string Next has validated, when
// they are already its decoded value: no escapes and valid UTF-8.
func Plain(quoted []byte) ([]byte, bool) {
	s := quoted[1 : len(quoted)-1]
	i := 0
	for ; i+8 <= len(s); i += 8 { // ASCII without a backslash, eight bytes at a time
		if w := binary.LittleEndian.Uint64(s[i:]); w&highs != 0 || zeroBytes(w^(ones*'\\')) != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '\\' {
			return nil, false
		} else if c >= utf8.RuneSelf {
			if bytes.IndexByte(s[i:], '\\') >= 0 || !utf8.Valid(s[i:]) {
				return nil, false
			}
			break
		}
	}
	return s, true
}

// AppendUnquoted appends the value of quoted, a string Next has validated,
// to dst, decoded as encoding/json decodes strings: escapes resolved,
// surrogate pairs joined, and each lone surrogate and each byte that is not
// UTF-8 replaced by U+FFFD.
func AppendUnquoted(dst, quoted []byte) []byte {
	s := quoted[1 : len(quoted)-1]
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			e := s[i+1]
			i += 2
			switch e {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r, _ := hex4(s[i:])
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := escapedRune(s[i:])
					if pair := utf16.DecodeRune(r, r2); ok && pair != unicode.ReplacementChar {
						r = pair
						i += 6
					} else {
						r = unicode.ReplacementChar
					}
				}
				dst = utf8.AppendRune(dst, r)
			default: // '"', '\\', '/'
				dst = append(dst, e)
			}
		case c < utf8.RuneSelf: // a run of ASCII without a backslash, copied whole
			j := i + 1
			for j+8 <= len(s) {
				if w := binary.LittleEndian.Uint64(s[j:]); w&highs != 0 || zeroBytes(w^(ones*'\\')) != 0 {
					break
				}
				j += 8
			}
			for j < len(s) && s[j] < utf8.RuneSelf && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
		default:
			r, size := utf8.DecodeRune(s[i:])
			dst = utf8.AppendRune(dst, r)
			i += size
		}
	}
	return dst
}

// escapedRune parses a \uXXXX escape at the start of b.
func escapedRune(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	return hex4(b[2:])
}
