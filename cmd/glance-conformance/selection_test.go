package main

import (
	"path/filepath"
	"testing"

	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

func TestSelectedCellsFollowGinkgosLabelFilter(t *testing.T) {
	tops, err := topology.Select(filepath.Join("..", "..", "deployments"), "standalone,mod_wsgi")
	if err != nil {
		t.Fatal(err)
	}
	all, err := selectedCells([]string{"bookworm", "sid"}, tops, "", false)
	if err != nil || len(all) != 4*(len(feature.All())+1) {
		t.Fatalf("no filter: %d cells, %v; want every feature and the benchmark in 4 columns", len(all), err)
	}
	some, err := selectedCells([]string{"bookworm", "sid"}, tops, "(feature:upload.chunked || feature:api.versions) && !release:sid && topology:mod_wsgi", false)
	want := []cell{{"bookworm/mod_wsgi", "api.versions"}, {"bookworm/mod_wsgi", "upload.chunked"}}
	if err != nil || len(some) != len(want) || some[0] != want[0] || some[1] != want[1] {
		t.Errorf("got %v, %v; want %v", some, err, want)
	}
}
