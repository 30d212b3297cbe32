package framework

import (
	"testing"

	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

func TestShardsDealEveryColumnToOneShard(t *testing.T) {
	a, b := shard{runconfig.Shard{Index: 0, Count: 2}}, shard{runconfig.Shard{Index: 1, Count: 2}}
	for i := range 27 {
		if a.Owns(i) == b.Owns(i) {
			t.Fatalf("column %d: owned by both or neither shard", i)
		}
	}
	if one := (shard{runconfig.Shard{Count: 1}}); one.String() != "" || a.String() != "shard 1/2 " {
		t.Errorf("progress prefixes %q, %q", one.String(), a.String())
	}
}
