package image

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// source is one apt source line of a recipe, its mirror placeholder resolved.
type source struct {
	URI, Suite string
	Components []string
}

func (s source) line() string {
	return fmt.Sprintf("deb %s %s %s", s.URI, s.Suite, strings.Join(s.Components, " "))
}

// parseSource reads "deb MIRROR|SECURITY|URI SUITE COMPONENT..." with the mirrors put in.
func parseSource(line string, m Mirrors) (source, error) {
	f := strings.Fields(line)
	if len(f) < 4 || f[0] != "deb" {
		return source{}, fmt.Errorf("apt source %q: want \"deb MIRROR|SECURITY|URI SUITE COMPONENT...\"", line)
	}
	uri := f[1]
	switch uri {
	case "MIRROR":
		uri = m.Main
	case "SECURITY":
		uri = m.Security
	default:
		if !strings.Contains(uri, "://") {
			return source{}, fmt.Errorf("apt source %q: %q is neither MIRROR, SECURITY nor a URI", line, uri)
		}
	}
	return source{URI: strings.TrimSuffix(uri, "/"), Suite: f[2], Components: f[3:]}, nil
}

// ArchiveDate is when the archive last published one suite (its Release file's Date field).
type ArchiveDate struct {
	Suite string `json:"suite"`
	Date  string `json:"date"`
}

// Archive is the state of the archives an image installs from: the Release dates of its
// suites, and a short key that changes when any of them does. The archive republishes a suite
// when one of its packages changes, so a new key is what makes a nightly build today's packages
// while an unchanged archive reuses the image it already built.
type Archive struct {
	Key   string
	Dates []ArchiveDate
}

// ReadArchive asks each of the recipe's archives for its suite's Release date (a few KiB each)
// and sets the recipe's Archive, and so its tag.
func (r *Recipe) ReadArchive(ctx context.Context, m Mirrors) error {
	h := sha256.New()
	var dates []ArchiveDate
	for _, l := range r.Apt {
		src, err := parseSource(l, m)
		if err != nil {
			return err
		}
		date, err := releaseDate(ctx, src)
		if err != nil {
			return err
		}
		// The key follows the archive, not the mirror that serves it.
		fmt.Fprintf(h, "%s %s\n", src.Suite, date)
		dates = append(dates, ArchiveDate{Suite: src.Suite, Date: date})
	}
	r.Archive = Archive{Key: hex.EncodeToString(h.Sum(nil))[:8], Dates: dates}
	return nil
}

var archiveClient = &http.Client{Timeout: 30 * time.Second}

// releaseDate reads the Date field of a suite's InRelease file.
func releaseDate(ctx context.Context, src source) (string, error) {
	url := src.URI + "/dists/" + src.Suite + "/InRelease"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := archiveClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("reading the archive's date: %w (an image pinned with --images-from needs no archive)", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("reading the archive's date: GET %s: %s", url, resp.Status)
	}
	date, err := dateField(bufio.NewScanner(resp.Body))
	if err != nil {
		return "", fmt.Errorf("%s: %w", url, err)
	}
	return date, nil
}

// dateField finds "Date: ..." among a Release file's header fields (after the signature's own
// header in an InRelease file), as RFC 3339 in UTC.
func dateField(sc *bufio.Scanner) (string, error) {
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "MD5Sum:") || strings.HasPrefix(line, "SHA256:") {
			break // the file lists begin: the header had no date
		}
		if v, ok := strings.CutPrefix(line, "Date:"); ok {
			t, err := time.Parse(time.RFC1123, strings.TrimSpace(v))
			if err != nil {
				// Release files say "UTC" where RFC1123 parsing wants a zone it knows.
				if t, err = time.Parse("Mon, 02 Jan 2006 15:04:05 MST", strings.TrimSpace(v)); err != nil {
					return "", fmt.Errorf("unreadable Date %q", v)
				}
			}
			return t.UTC().Format(time.RFC3339), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no Date field")
}
