// Package glanceconf renders the configuration files a Glance container receives: the base
// glance-api.conf with a topology's overrides merged in, and the release's own paste file with a
// test-only identity flavor added.
package glanceconf

import (
	"fmt"
	"strings"
)

// INI is an oslo.config / paste style INI file kept in its original order, so rendered files
// read like hand-written ones and diff cleanly.
type INI struct {
	sections []*section
}

type section struct {
	name string
	keys []string
	vals map[string]string
}

// ParseINI reads "[section]" headers and "key = value" lines; comments and blank lines are
// dropped. Continuation lines (leading white space) are joined to the previous value.
func ParseINI(text string) (*INI, error) {
	ini := &INI{}
	var cur *section
	var lastKey string
	for n, raw := range strings.Split(text, "\n") {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";"):
			continue
		case strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]"):
			cur = ini.section(strings.TrimSpace(trimmed[1:len(trimmed)-1]), true)
			lastKey = ""
		case line[0] == ' ' || line[0] == '\t':
			if cur == nil || lastKey == "" {
				return nil, fmt.Errorf("line %d: continuation line with nothing to continue", n+1)
			}
			cur.vals[lastKey] += "\n" + trimmed
		default:
			key, val, ok := strings.Cut(trimmed, "=")
			if !ok {
				key, val, ok = strings.Cut(trimmed, ":") // paste's "/v2: apiv2app"
			}
			if !ok || cur == nil {
				return nil, fmt.Errorf("line %d: expected \"key = value\" inside a section: %q", n+1, trimmed)
			}
			lastKey = strings.TrimSpace(key)
			cur.set(lastKey, strings.TrimSpace(val))
		}
	}
	return ini, nil
}

func (ini *INI) section(name string, create bool) *section {
	for _, s := range ini.sections {
		if s.name == name {
			return s
		}
	}
	if !create {
		return nil
	}
	s := &section{name: name, vals: map[string]string{}}
	ini.sections = append(ini.sections, s)
	return s
}

func (s *section) set(key, val string) {
	if _, ok := s.vals[key]; !ok {
		s.keys = append(s.keys, key)
	}
	s.vals[key] = val
}

// Get returns a value and whether it was set.
func (ini *INI) Get(sectionName, key string) (string, bool) {
	s := ini.section(sectionName, false)
	if s == nil {
		return "", false
	}
	v, ok := s.vals[key]
	return v, ok
}

// Set sets a value, adding the section or key at the end when new.
func (ini *INI) Set(sectionName, key, val string) { ini.section(sectionName, true).set(key, val) }

// Merge lays every value of over on top of ini.
func (ini *INI) Merge(over *INI) {
	for _, s := range over.sections {
		dst := ini.section(s.name, true)
		for _, k := range s.keys {
			dst.set(k, s.vals[k])
		}
	}
}

// String renders the file; paste's path keys ("/v2") keep their colon form.
func (ini *INI) String() string {
	var b strings.Builder
	for i, s := range ini.sections {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s]\n", s.name)
		for _, k := range s.keys {
			v := strings.ReplaceAll(s.vals[k], "\n", "\n    ")
			if strings.HasPrefix(k, "/") {
				fmt.Fprintf(&b, "%s: %s\n", k, v)
			} else {
				fmt.Fprintf(&b, "%s = %s\n", k, v)
			}
		}
	}
	return b.String()
}
