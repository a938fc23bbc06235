package kubernetes

import (
	"unicode"
	"unicode/utf8"
)

// consistentOrder reports whether sorted keys are in yaml.v2's order pair
// by pair. That order is not transitive for some keys with digits ("007" <
// "0o1" < "1_" < "007"); yaml.v2 then writes them in an order that depends
// on map iteration, and such an object goes to the fallback.
func consistentOrder(members []jsonMember) bool {
	for i := range members {
		for j := i + 1; j < len(members); j++ {
			if !yamlKeyLess(members[i].key, members[j].key) {
				return false
			}
		}
	}
	return true
}

// yamlKeyLess is go.yaml.in/yaml/v2's order of string map keys (keyList.Less):
// letters sort after non-letters, runs of digits compare as numbers.
func yamlKeyLess(a, b []byte) bool {
	if isASCII(a) && isASCII(b) {
		return keyLess(a, b)
	}
	return keyLess([]rune(string(a)), []rune(string(b)))
}

func isASCII(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func keyLess[T byte | rune](ar, br []T) bool {
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al := unicode.IsLetter(rune(ar[i]))
		bl := unicode.IsLetter(rune(br[i]))
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(rune(ar[j])); j-- {
				if ar[j] != '0' {
					an = 1
					bn = 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(rune(ar[ai])); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(rune(br[bi])); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}
