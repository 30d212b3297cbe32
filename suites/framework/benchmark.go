package framework

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"

	"github.com/glance-conformance/glance-conformance/fixtures/payload"
	"github.com/glance-conformance/glance-conformance/harness/evidence"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// Throughput is measured where data moves: uploads and downloads of the large image, median of
// benchmarkRounds, beside the client's own limit (the same code against a local sink), so a slow
// client can never pass for a slow server. It is a benchmark in the report, never a cell.
// The measured image is much smaller than the large image: big enough for a steady rate (half
// a second at the fastest column's rate), small enough that the benchmark, which the other processes
// wait for, does not dominate the run, and under Apache's 1 GiB body limit, so that every column
// that can move data gets a figure.
const (
	benchmarkRounds = 3
	benchmarkSize   = int64(128 << 20)
)

// benchmarkSeed makes the benchmark's bytes: those of the large rows' image (any would do).
const benchmarkSeed = 5

func benchmarkStream() *payload.Stream { return payload.NewStream(benchmarkSeed, benchmarkSize) }

// BenchmarkLabel marks the throughput specs; FEATURES= selections leave them out.
const BenchmarkLabel = feature.BenchmarkLabel

// benchmarkFeature names what the benchmark creates; it is not a row of the matrix.
var benchmarkFeature = feature.Feature{ID: "benchmark.throughput", Title: "Throughput of the large image"}

func defineBenchmark(col *column) {
	It("benchmark: throughput of the large image", Label(BenchmarkLabel), func(ctx SpecContext) {
		if col.err != nil || col.na != "" {
			Skip("column did not start")
		}
		// Alone on the machine: the other Ginkgo processes wait between their specs while this measures.
		release, err := shared.cfg.lock.Exclusive(ctx)
		if err != nil {
			HarnessError("%v", err)
		}
		DeferCleanup(release)
		t := newTarget(col, benchmarkFeature)
		m := reports.Throughput{Column: col.id, SizeBytes: benchmarkSize}
		defer func() { AddReportEntry(reports.ThroughputEntryName, m, ReportEntryVisibilityNever) }()
		for range benchmarkRounds {
			img := t.CreateImage(ctx, images.CreateOpts{})
			start := time.Now()
			err := imagedata.Upload(ctx, t.Client, img.ID, imageapi.WithLength(benchmarkStream(), benchmarkSize)).ExtractErr()
			if err != nil {
				m.Error = "upload: " + ErrorLine(err)
				return
			}
			m.UploadMiBs = append(m.UploadMiBs, mibs(benchmarkSize, time.Since(start)))
			start = time.Now()
			body, err := imagedata.Download(ctx, t.Client, img.ID).Extract()
			if err != nil {
				m.Error = "download: " + ErrorLine(err)
				return
			}
			n, err := io.Copy(sha256.New(), body)
			body.Close()
			if err != nil || n != benchmarkSize {
				m.Error = fmt.Sprintf("download: %d bytes, %v", n, err)
				return
			}
			m.DownloadMiBs = append(m.DownloadMiBs, mibs(benchmarkSize, time.Since(start)))
			t.DeleteNow(ctx, img.ID)
		}
		m.UploadMedian, m.DownloadMedian = median(m.UploadMiBs), median(m.DownloadMiBs)
	})
}

// measureClientLimit runs the benchmark's client code against an in-process server that
// discards uploads and serves the large image from memory-less generation.
func measureClientLimit(ctx context.Context) reports.Throughput {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(benchmarkSize))
		benchmarkStream().WriteTo(w)
	}))
	defer srv.Close()
	sc := imageapi.New(srv.URL+"/", imageapi.Main, &evidence.Recorder{})
	m := reports.Throughput{Column: "client", SizeBytes: benchmarkSize}
	for range benchmarkRounds {
		start := time.Now()
		if err := imagedata.Upload(ctx, sc, "local", imageapi.WithLength(benchmarkStream(), benchmarkSize)).ExtractErr(); err != nil {
			m.Error = err.Error()
			return m
		}
		m.UploadMiBs = append(m.UploadMiBs, mibs(benchmarkSize, time.Since(start)))
		start = time.Now()
		body, err := imagedata.Download(ctx, sc, "local").Extract()
		if err != nil {
			m.Error = err.Error()
			return m
		}
		io.Copy(sha256.New(), body)
		body.Close()
		m.DownloadMiBs = append(m.DownloadMiBs, mibs(benchmarkSize, time.Since(start)))
	}
	m.UploadMedian, m.DownloadMedian = median(m.UploadMiBs), median(m.DownloadMiBs)
	return m
}

func mibs(n int64, d time.Duration) float64 {
	return float64(int64(float64(n)/(1<<20)/d.Seconds()*10)) / 10
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}
