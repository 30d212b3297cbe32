package image

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime"
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

// Archive is the state of the archives an image installs from: a short key that changes when
// the package list of any suite it installs from does (the SHA256 its Release file gives for each
// component's binary Packages index), and the Release dates, for the reader. The date alone
// would not do: the security archive re-signs its Release weekly with nothing new in it.
type Archive struct {
	Key   string
	Dates []ArchiveDate
}

// ReadArchive asks each of the recipe's archives for its suite's Release file and sets the
// recipe's Archive, and so its tag.
func (r *Recipe) ReadArchive(ctx context.Context, m Mirrors) error {
	h := sha256.New()
	var dates []ArchiveDate
	for _, l := range r.Apt {
		src, err := parseSource(l, m)
		if err != nil {
			return err
		}
		rel, err := readRelease(ctx, src)
		if err != nil {
			return err
		}
		for _, comp := range src.Components {
			index := comp + "/binary-" + debianArch() + "/Packages"
			sum, ok := rel.sha256[index]
			if !ok {
				return fmt.Errorf("the Release file of %s %s lists no %s", src.URI, src.Suite, index)
			}
			// The key follows the archive's content, not the mirror that serves it.
			fmt.Fprintf(h, "%s %s %s\n", src.Suite, index, sum)
		}
		dates = append(dates, ArchiveDate{Suite: src.Suite, Date: rel.date})
	}
	r.Archive = Archive{Key: hex.EncodeToString(h.Sum(nil))[:8], Dates: dates}
	return nil
}

// debianArch is this machine's architecture as Debian names it (images are built for it).
func debianArch() string {
	if a, ok := map[string]string{"386": "i386", "arm": "armhf"}[runtime.GOARCH]; ok {
		return a
	}
	return runtime.GOARCH // amd64, arm64, ppc64le, s390x, riscv64: the same names
}

var archiveClient = &http.Client{Timeout: 30 * time.Second}

// release is what is read of a suite's Release file: its date, and the SHA256 of each file it
// lists.
type release struct {
	date   string
	sha256 map[string]string
}

// readRelease fetches and reads a suite's InRelease file.
func readRelease(ctx context.Context, src source) (release, error) {
	url := src.URI + "/dists/" + src.Suite + "/InRelease"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return release{}, err
	}
	resp, err := archiveClient.Do(req)
	if err != nil {
		return release{}, fmt.Errorf("reading the archive's state: %w (an image pinned with --images-from needs no archive)", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return release{}, fmt.Errorf("reading the archive's state: GET %s: %s", url, resp.Status)
	}
	rel, err := parseRelease(bufio.NewScanner(resp.Body))
	if err != nil {
		return release{}, fmt.Errorf("%s: %w", url, err)
	}
	return rel, nil
}

// parseRelease reads a Release file (inside an InRelease file's signature): "Date: ..." as
// RFC 3339 in UTC, and the lines of its SHA256 section (" <sum> <size> <path>").
func parseRelease(sc *bufio.Scanner) (release, error) {
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	rel := release{sha256: map[string]string{}}
	section := ""
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-----BEGIN PGP SIGNATURE") {
			break
		}
		if !strings.HasPrefix(line, " ") {
			section, _, _ = strings.Cut(line, ":")
		}
		switch {
		case section == "Date" && rel.date == "":
			v := strings.TrimSpace(strings.TrimPrefix(line, "Date:"))
			t, err := time.Parse(time.RFC1123, v)
			if err != nil {
				if t, err = time.Parse(time.RFC1123Z, v); err != nil {
					return release{}, fmt.Errorf("unreadable Date %q", v)
				}
			}
			rel.date = t.UTC().Format(time.RFC3339)
		case section == "SHA256" && strings.HasPrefix(line, " "):
			if f := strings.Fields(line); len(f) == 3 {
				rel.sha256[f[2]] = f[0]
			}
		}
	}
	if err := sc.Err(); err != nil {
		return release{}, err
	}
	if rel.date == "" {
		return release{}, fmt.Errorf("no Date field")
	}
	return rel, nil
}
