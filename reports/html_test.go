package reports

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The page needs nothing from the network: no external script, style, image or font.
func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := recorded(t).WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script src", "<link", "@import", "url(", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("matrix.html contains %q", bad)
		}
	}
}

func TestSVGIsWellFormed(t *testing.T) {
	var b bytes.Buffer
	if err := recorded(t).WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&b)
	rects := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	// background + 3 features x 2 columns + 5 legend entries
	if rects != 1+6+5 {
		t.Fatalf("%d rects in matrix.svg", rects)
	}
}

// chromium finds Debian's chromium; make test installs it and sets GC_BROWSER_TEST=1, which
// turns its absence into a failure instead of a skip.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("GC_BROWSER_TEST") == "1" {
		t.Fatal("no chromium on PATH (make deps installs it)")
	}
	t.Skip("no chromium on PATH; make test installs it and runs this test")
	return ""
}

// TestHTMLInABrowser loads matrix.html in headless chromium: the table has the expected rows
// and columns, and a click on a failed cell shows its reason and evidence.
func TestHTMLInABrowser(t *testing.T) {
	exe := chromium(t)
	path := filepath.Join(t.TempDir(), "matrix.html")
	f, _ := os.Create(path)
	if err := recorded(t).WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	f.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("headless", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first action allocates the browser and must not carry a timeout (chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS("table.matrix"))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.matrix tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	headers, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.matrix th.col").length`))
	before, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("detail")).display`))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`td[data-cell="upload.chunked|bookworm/mod_wsgi"]`)), chromedp.WaitVisible(chromedp.ID("detail"))); err != nil {
		t.Fatal(err)
	}
	detail, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("detail")))
	if err != nil {
		t.Fatal(err)
	}
	if rows != 3 || headers != 2 {
		t.Errorf("table has %d rows and %d columns, want 3 and 2", rows, headers)
	}
	if before != "none" {
		t.Errorf("the detail panel shows before any click (display %q)", before)
	}
	for _, want := range []string{"upload.chunked on bookworm/mod_wsgi: fail", "answered 411", "PUT /v2/images/x/file -> 411", "chunked not enabled"} {
		if !strings.Contains(detail, want) {
			t.Errorf("after the click the panel lacks %q: %q", want, detail)
		}
	}
}
