// Package hostilejson builds worst-case JSON token payloads: shapes that
// would make a decoder slower than linear in its input (many distinct or
// duplicate custom attributes, thousands of claims or groups, deep nesting,
// long escaped strings), grown to any size. The tests of claims and
// verifier use them to seed their fuzz targets and to bound the cost of
// refusing such a token; verifier/internal/hostile turns them into tokens.
//
// Nothing here belongs in a production binary.
package hostilejson

import (
	"fmt"
	"strings"
)

// Shape is one way of filling a payload: Open, then Unit(0), Sep, Unit(1),
// ... as many as fit, then Close.
type Shape struct {
	Name  string
	Open  string
	Unit  func(i int) string
	Sep   string
	Close string
}

// nestDepth is the depth of each nested member of the deep-nesting shape:
// several fit the default 16 KiB token, below encoding/json's limit of
// 10,000 levels.
const nestDepth = 2000

// Shapes returns every shape, in a fixed order.
func Shapes() []Shape {
	deep := strings.Repeat("[", nestDepth) + strings.Repeat("]", nestDepth)
	return []Shape{
		{Name: "distinct custom names", Sep: ",",
			Unit: func(i int) string { return fmt.Sprintf(`"custom:a%05d":"v"`, i) }},
		{Name: "duplicate custom names", Sep: ",",
			Unit: func(i int) string { return fmt.Sprintf(`"custom:a%02d":"v"`, i%64) }},
		{Name: "custom names each removed by a non-string", Sep: ",",
			Unit: func(i int) string { return fmt.Sprintf(`"custom:r%05d":"v","custom:r%05d":0`, i, i) }},
		{Name: "escaped distinct custom names", Sep: ",",
			Unit: func(i int) string { return fmt.Sprintf(`"custom:\u0061%05d":"v"`, i) }},
		{Name: "distinct plain claims", Sep: ",",
			Unit: func(i int) string { return fmt.Sprintf(`"c%05d":1`, i) }},
		{Name: "thousands of groups", Open: `"cognito:groups":[`, Sep: ",", Close: "]",
			Unit: func(i int) string { return fmt.Sprintf(`"g%05d"`, i) }},
		{Name: "deep nesting", Sep: ",",
			Unit: func(i int) string { return fmt.Sprintf(`"custom:d%d":`, i) + deep }},
		{Name: "long escaped custom value", Open: `"custom:e":"`, Close: `"`,
			Unit: func(int) string { return `\u00e9` }},
		{Name: "long escaped iss", Open: `"iss":"`, Close: `"`,
			Unit: func(int) string { return `\ud83d\ude00` }},
	}
}

// Payload returns a JSON object of exactly size bytes when size allows
// (the shortest is the prefix with the shape's first unit): the members in
// prefix (JSON members without braces, may be empty), then the shape
// repeated while it fits, then a padding member.
func (s Shape) Payload(prefix string, size int) []byte {
	const pad = `,"pad":""`
	b := make([]byte, 0, size)
	b = append(b, '{')
	b = append(b, prefix...)
	if prefix != "" {
		b = append(b, ',')
	}
	b = append(b, s.Open...)
	for i := 0; ; i++ {
		u := s.Unit(i)
		n := len(u)
		if i > 0 {
			n += len(s.Sep)
		}
		if i > 0 && len(b)+n+len(s.Close)+len(pad)+1 > size {
			break
		}
		if i > 0 {
			b = append(b, s.Sep...)
		}
		b = append(b, u...)
	}
	b = append(b, s.Close...)
	if room := size - len(b) - 1; room >= len(pad) {
		b = append(b, pad[:len(pad)-1]...)
		b = append(b, strings.Repeat("x", room-len(pad))...)
		b = append(b, '"')
	}
	return append(b, '}')
}
