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
type Object struct {
	data  []byte
	pos   int
	state uint8
	// plain is whether the last string read is written as its decoded
	// value; keyPlain and valuePlain keep it for the last member.
	plain, keyPlain, valuePlain bool
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
	switch o.state {
	case stateStart:
		o.space()
		if !o.eat('{') {
			return o.fail()
		}
		o.space()
		if o.eat('}') {
			return o.end()
		}
	case stateMember:
		o.space()
		if o.eat('}') {
			return o.end()
		}
		if !o.eat(',') {
			return o.fail()
		}
		o.space()
	default:
		return nil, nil, false
	}
	k := o.pos
	if !o.str() {
		return o.fail()
	}
	key = o.data[k:o.pos]
	o.keyPlain = o.plain
	o.space()
	if !o.eat(':') {
		return o.fail()
	}
	o.space()
	v := o.pos
	if !o.value(1) {
		return o.fail()
	}
	o.valuePlain = o.data[v] == '"' && o.plain
	o.state = stateMember
	return key, o.data[v:o.pos], true
}

// Plain reports, for the member Next returned last, whether its key, and
// its value if that is a string, are written exactly as their decoded
// value: no escapes, valid UTF-8. Their contents are then quoted[1:len-1],
// as the function Plain would return, which need not be called again.
func (o *Object) Plain() (key, value bool) { return o.keyPlain, o.valuePlain }

// Valid reports whether the text read so far is free of syntax errors.
func (o *Object) Valid() bool { return o.state != stateInvalid }

func (o *Object) end() ([]byte, []byte, bool) {
	o.space()
	if o.pos != len(o.data) {
		return o.fail()
	}
	o.state = stateDone
	return nil, nil, false
}

func (o *Object) fail() ([]byte, []byte, bool) {
	o.state = stateInvalid
	return nil, nil, false
}

// Array iterates over the elements of a JSON array that Next has already
// validated. The zero value is not usable; start with Elements.
type Array struct{ o Object }

// Elements returns an iterator over the elements of array, a JSON array
// value that Next has already validated.
func Elements(array []byte) Array { return Array{Object{data: array, pos: 1}} } // past '['

// Next returns the next element exactly as written, or ok false after the
// last. (A plain method rather than an iter.Seq: the compiler can then see
// that array does not escape.)
func (a *Array) Next() (elem []byte, ok bool) {
	o := &a.o
	o.space()
	switch o.state {
	case stateStart:
		if o.eat(']') {
			o.state = stateDone
			return nil, false
		}
	case stateMember:
		if !o.eat(',') { // so the closing ']'
			o.state = stateDone
			return nil, false
		}
		o.space()
	default:
		return nil, false
	}
	v := o.pos
	o.value(1)
	o.valuePlain = o.data[v] == '"' && o.plain
	o.state = stateMember
	return o.data[v:o.pos], true
}

// Plain reports whether the element Next returned last is a string written
// exactly as its decoded value, as Object.Plain does for values.
func (a *Array) Plain() bool { return a.o.valuePlain }

func (o *Object) space() {
	for o.pos < len(o.data) {
		switch o.data[o.pos] {
		case ' ', '\t', '\n', '\r':
			o.pos++
		default:
			return
		}
	}
}

func (o *Object) eat(c byte) bool {
	if o.pos < len(o.data) && o.data[o.pos] == c {
		o.pos++
		return true
	}
	return false
}

// value reads one value; depth counts the containers open around it.
func (o *Object) value(depth int) bool {
	if o.pos >= len(o.data) {
		return false
	}
	switch c := o.data[o.pos]; {
	case c == '"':
		return o.str()
	case c == '{':
		return o.object(depth + 1)
	case c == '[':
		return o.array(depth + 1)
	case c == '-' || c >= '0' && c <= '9':
		return o.number()
	case c == 't':
		return o.literal("true")
	case c == 'f':
		return o.literal("false")
	case c == 'n':
		return o.literal("null")
	}
	return false
}

func (o *Object) object(depth int) bool {
	if depth > maxDepth {
		return false
	}
	o.pos++ // '{'
	o.space()
	if o.eat('}') {
		return true
	}
	for {
		if !o.str() {
			return false
		}
		o.space()
		if !o.eat(':') {
			return false
		}
		o.space()
		if !o.value(depth) {
			return false
		}
		o.space()
		if o.eat('}') {
			return true
		}
		if !o.eat(',') {
			return false
		}
		o.space()
	}
}

func (o *Object) array(depth int) bool {
	if depth > maxDepth {
		return false
	}
	o.pos++ // '['
	o.space()
	if o.eat(']') {
		return true
	}
	for {
		if !o.value(depth) {
			return false
		}
		o.space()
		if o.eat(']') {
			return true
		}
		if !o.eat(',') {
			return false
		}
		o.space()
	}
}

func (o *Object) literal(word string) bool {
	if !bytes.HasPrefix(o.data[o.pos:], []byte(word)) {
		return false
	}
	o.pos += len(word)
	return true
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (o *Object) number() bool {
	o.eat('-')
	switch {
	case o.eat('0'):
	case o.digits() == 0:
		return false
	}
	if o.eat('.') && o.digits() == 0 {
		return false
	}
	if o.eat('e') || o.eat('E') {
		if !o.eat('+') {
			o.eat('-')
		}
		if o.digits() == 0 {
			return false
		}
	}
	return true
}

func (o *Object) digits() int {
	start := o.pos
	for o.pos < len(o.data) && o.data[o.pos] >= '0' && o.data[o.pos] <= '9' {
		o.pos++
	}
	return o.pos - start
}

// str reads a string: no raw control characters, only the escapes JSON
// defines. Bytes that are not UTF-8 pass, as in encoding/json (decoding
// replaces them).
func (o *Object) str() bool {
	if !o.eat('"') {
		return false
	}
	d := o.data
	start, i := o.pos, o.pos
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
				return false
			}
			c = d[i]
		}
		switch c {
		case '"':
			o.pos = i + 1
			o.plain = !escaped && (high&highs == 0 || utf8.Valid(d[start:i]))
			return true
		case '\\':
			escaped = true
			if i+1 >= len(d) {
				return false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := hex4(d[i+2:]); !ok {
					return false
				}
				i += 6
			default:
				return false
			}
		default: // a control character
			return false
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

// stringSpecials flags the bytes of w that are '"', '\\' or below 0x20.
func stringSpecials(w uint64) uint64 {
	return (w-ones*0x20)&^w&highs | zeroBytes(w^(ones*'"')) | zeroBytes(w^(ones*'\\'))
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
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
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
