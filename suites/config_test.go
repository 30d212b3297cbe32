package suites

import "testing"

func TestShardsDealEveryColumnToOneShard(t *testing.T) {
	for _, v := range []string{"0/0", "2/2", "-1/2", "1", "a/b"} {
		if _, err := parseShard(v); err == nil {
			t.Errorf("--shard=%s accepted", v)
		}
	}
	a, _ := parseShard("0/2")
	b, _ := parseShard("1/2")
	for i := range 27 {
		if a.owns(i) == b.owns(i) {
			t.Fatalf("column %d: owned by both or neither shard", i)
		}
	}
	if one, _ := parseShard("0/1"); one.String() != "" || a.String() != "shard 1/2 " {
		t.Errorf("progress prefixes %q, %q", one.String(), a.String())
	}
}
