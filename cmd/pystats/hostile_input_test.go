package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// The hostile-input suite: one case per way an input can hurt (a FIFO, a
// device, quadratic lines, unbounded memory, damaged or ambiguous archives,
// empty inputs, a byte order mark, keys other commands would take
// differently, huge values), each built on the fly from the real dumps of
// testdata/ and run through the pystats binary (this test binary, see
// TestMain) in a subprocess, asserting the exit code, the message (naming
// the file, and the line where there is one), that no input changed, that
// no stray file is left, and the peak RSS where memory is the point. Large
// inputs are generated here, never committed.

// hostileRSS is the peak RSS allowed where memory is the point. The test
// binary's own pages are about 30 MiB of it.
const hostileRSS = 64 << 20

// realDump is the 3.13 test fixture (113 KB, 2,794 lines).
func realDump(t testing.TB) []byte {
	t.Helper()
	files, _ := filepath.Glob("../../testdata/dumps/3.13/json_tool/raw/*.txt")
	if len(files) == 0 {
		t.Fatal("no 3.13 dump fixture")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pystatsResult is what one run of the binary gave.
type pystatsResult struct {
	code           int
	stdout, stderr string
	rss            int64 // peak RSS in bytes
}

// runPystats runs the test binary as `pystats args...` with stdin (nil for
// none) and a deadline that catches a hang.
func runPystats(t *testing.T, stdin io.Reader, args ...string) pystatsResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), fleetMainEnv+"=1")
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("pystats %s: no answer within a minute (it hangs)", strings.Join(args, " "))
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return pystatsResult{code: code, stdout: out.String(), stderr: errb.String(), rss: ru.Maxrss * 1024}
}

// tarMember is one member of a generated archive.
type tarMember struct {
	name, link string
	typ        byte
	body       []byte
	// size and fill make a large member streamed from a generator instead
	// of body.
	size int64
	fill func(w io.Writer) error
}

// writeTar writes members as a tar stream to w; end writes the end marker.
func writeTar(t testing.TB, w io.Writer, members []tarMember, end bool) {
	t.Helper()
	tw := tar.NewWriter(w)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Typeflag: m.typ, Linkname: m.link, ModTime: time.Unix(1700000000, 0)}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
			if m.fill != nil {
				h.Size = m.size
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if m.fill != nil {
			if err := m.fill(tw); err != nil {
				t.Fatal(err)
			}
		} else if _, err := tw.Write(m.body); err != nil {
			t.Fatal(err)
		}
	}
	if end {
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
	} else if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
}

// tarGz writes a gzip-compressed tar to path.
func tarGz(t testing.TB, path string, members []tarMember) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	writeTar(t, zw, members, true)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

func tarBytes(t testing.TB, members []tarMember, end bool) []byte {
	var b bytes.Buffer
	writeTar(t, &b, members, end)
	return b.Bytes()
}

func gzBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	zw, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// repeatTo writes data over and over until size bytes are written.
func repeatTo(data []byte, size int64) func(w io.Writer) error {
	return func(w io.Writer) error {
		for size > 0 {
			n := min(int64(len(data)), size)
			if _, err := w.Write(data[:n]); err != nil {
				return err
			}
			size -= n
		}
		return nil
	}
}

// summaryJSON runs summarize with --json-output and returns the counters.
func summaryJSON(t *testing.T, out string, args ...string) map[string]any {
	t.Helper()
	path := filepath.Join(out, fmt.Sprintf("s%d.json", time.Now().UnixNano()))
	r := runPystats(t, nil, append([]string{"summarize", "-o", filepath.Join(out, "s.md"), "--json-output", path}, args...)...)
	if r.code != 0 {
		t.Fatalf("summarize %v: exit %d: %s", args, r.code, r.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "metadata")
	return m
}

func sameCounters(t *testing.T, what string, a, b map[string]any) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d keys against %d", what, len(a), len(b))
	}
	for k, v := range a {
		if fmt.Sprint(b[k]) != fmt.Sprint(v) {
			t.Fatalf("%s: %q = %v against %v", what, k, v, b[k])
		}
	}
}

// hostileCase is one hostile input.
type hostileCase struct {
	name string
	// setup makes the inputs under in and returns the command's arguments
	// and its standard input (nil for none).
	setup  func(t *testing.T, in, out string) ([]string, io.Reader)
	code   int
	stderr []string // substrings the message must hold ("IN" is replaced by the input folder)
	// maxRSS, when set, bounds the peak RSS.
	maxRSS int64
	// maxStderr, when set, bounds the size of the messages.
	maxStderr int
	check     func(t *testing.T, in, out string, r pystatsResult)
}

func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary on generated inputs of up to 200 MB")
	}
	dump := realDump(t)
	lastLine := fmt.Sprintf("k.txt:%d:", bytes.Count(dump, []byte("\n"))+1)
	write := func(t *testing.T, path string, data []byte) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fifo := func(t *testing.T, path string) string {
		t.Helper()
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		return path
	}
	valid := func(n int) []tarMember {
		var m []tarMember
		for i := range n {
			m = append(m, tarMember{name: fmt.Sprintf("run/d%03d.txt", i), body: dump})
		}
		return m
	}
	tests := []hostileCase{
		// 1. Non-regular files, refused at once before any blocking open.
		{name: "FIFO input", code: exitInput, stderr: []string{"fifo", "named pipe"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", fifo(t, filepath.Join(in, "fifo"))}, nil
			}},
		{name: "FIFO in a dump folder", code: exitInput, stderr: []string{"b.txt", "named pipe"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				write(t, filepath.Join(in, "d", "a.txt"), dump)
				fifo(t, filepath.Join(in, "d", "b.txt"))
				return []string{"summarize", filepath.Join(in, "d")}, nil
			}},
		{name: "symlink to a FIFO in a dump folder", code: exitInput, stderr: []string{"b.txt", "named pipe"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				write(t, filepath.Join(in, "d", "a.txt"), dump)
				os.Symlink(fifo(t, filepath.Join(in, "fifo")), filepath.Join(in, "d", "b.txt"))
				return []string{"summarize", filepath.Join(in, "d")}, nil
			}},
		{name: "FIFO as --tables", code: exitInput, stderr: []string{"tables.json", "named pipe"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"summarize", write(t, filepath.Join(in, "a.txt"), dump), "--tables", fifo(t, filepath.Join(in, "tables.json"))}, nil
			}},
		{name: "FIFO as a pyperf file", code: exitInput, stderr: []string{"base.json", "named pipe"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"timing", fifo(t, filepath.Join(in, "base.json")), fifo(t, filepath.Join(in, "head.json"))}, nil
			}},
		{name: "FIFO as an export input", code: exitInput, stderr: []string{"x.json", "named pipe"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"export", fifo(t, filepath.Join(in, "x.json")), "-o", filepath.Join(out, "exp")}, nil
			}},
		{name: "FIFO as a bm-*.json of a results folder", code: exitInput, stderr: []string{"named pipe"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				name := "bm-20250315-azure-x86_64-python-e82c2ca2a59235bc1965-3.14.0a6+-e82c2ca"
				fifo(t, filepath.Join(in, "results", name, name+".json"))
				return []string{"results", "-n", in}, nil
			}},
		{name: "/dev/zero", code: exitInput, stderr: []string{"/dev/zero", "character device"}, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) { return []string{"info", "/dev/zero"}, nil }},
		{name: "/dev/urandom", code: exitInput, stderr: []string{"/dev/urandom", "character device"}, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"summarize", "/dev/urandom"}, nil
			}},
		{name: "/dev/null", code: exitInput, stderr: []string{"/dev/null", "character device"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) { return []string{"info", "/dev/null"}, nil }},
		{name: "zeros on standard input", code: exitInput, stderr: []string{"<stdin>:1", "binary data"}, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", "-"}, io.LimitReader(zeroReader{}, 200<<20)
			}},
		// 2. Linear time: lines without ':' are searched within the line.
		{name: "4 MB of lines without a colon", code: 0, stderr: []string{"x.txt:2: unparsable line", "more lines like this"}, maxStderr: 4000,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", writeRepeated(t, filepath.Join(in, "x.txt"), "Frames pushed: 1\n", "x\n", 2<<20)}, nil
			}},
		{name: "--strict stops at the first bad line", code: exitInput, stderr: []string{"x.txt:2: unparsable line", "--strict"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", "--strict", writeRepeated(t, filepath.Join(in, "x.txt"), "Frames pushed: 1\n", "x\n", 2<<20)}, nil
			}},
		// 3. Bounded memory.
		{name: "17 MB of junk lines: warnings capped", code: 0, stderr: []string{"junk.txt:21:", "... and 8499980 more lines like this"}, maxRSS: hostileRSS, maxStderr: 4000,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", writeRepeated(t, filepath.Join(in, "junk.txt"), "Frames pushed: 1\n", "x\n", 8500000)}, nil
			},
			check: func(t *testing.T, in, out string, r pystatsResult) {
				if n := strings.Count(r.stderr, "unparsable line"); n != 20 {
					t.Errorf("%d warnings printed, want the first 20", n)
				}
			}},
		{name: "a 200 MB member of zeros in a .tar.gz", code: exitInput, stderr: []string{"zeros.tar.gz:zeros.txt:1", "binary data"}, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := filepath.Join(in, "zeros.tar.gz")
				tarGz(t, p, []tarMember{{name: "zeros.txt", size: 200 << 20, fill: repeatTo(make([]byte, 1<<20), 200<<20)}})
				return []string{"info", p}, nil
			}},
		{name: "a 100 MB member of valid lines in a .tar.gz", code: 0, stderr: []string{"occurs twice in this file", "more lines like this"}, maxRSS: hostileRSS, maxStderr: 8000,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := filepath.Join(in, "big.tar.gz")
				size := int64(len(dump)) * 900
				tarGz(t, p, []tarMember{{name: "big.txt", size: size, fill: repeatTo(dump, size)}})
				return []string{"info", p}, nil
			}},
		{name: "900 valid dumps in a .tar.gz (100 MB): bounded memory, right sums", code: 0, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := filepath.Join(in, "many.tar.gz")
				tarGz(t, p, valid(900))
				return []string{"summarize", p, "-o", filepath.Join(out, "many.md"), "--json-output", filepath.Join(out, "many.json")}, nil
			},
			check: func(t *testing.T, in, out string, r pystatsResult) {
				data, _ := os.ReadFile(filepath.Join(out, "many.json"))
				var m map[string]any
				json.Unmarshal(data, &m)
				one := summaryJSON(t, out, write(t, filepath.Join(out, "one", "a.txt"), dump))
				for k, v := range one {
					want, ok := v.(float64)
					if !ok {
						continue // metadata
					}
					want *= 900
					if m[k] != want {
						t.Fatalf("%q = %v, want %v", k, m[k], want)
					}
				}
			}},
		{name: "200 MB of white space in a pyperf .json.gz", code: exitInput, stderr: []string{"ws.json.gz", "larger than 32 MiB"}, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := filepath.Join(in, "ws.json.gz")
				f, _ := os.Create(p)
				zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
				zw.Write([]byte("{"))
				repeatTo(bytes.Repeat([]byte(" "), 1<<20), 200<<20)(zw)
				zw.Close()
				f.Close()
				return []string{"timing", p, p}, nil
			}},
		{name: "200,000 distinct keys (at most 65,536)", code: exitInput, stderr: []string{"keys.txt:65537:", "distinct keys"}, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := filepath.Join(in, "keys.txt")
				f, _ := os.Create(p)
				w := bufio.NewWriter(f)
				for i := range 200000 {
					fmt.Fprintf(w, "Object k%d : 1\n", i)
				}
				w.Flush()
				f.Close()
				return []string{"info", p}, nil
			}},
		{name: "a 40 MB summarize JSON", code: exitInput, stderr: []string{"big.json", "larger than 32 MiB"}, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", writeRepeated(t, filepath.Join(in, "big.json"), "{", "\"a\": 1,\n", 4<<20)}, nil
			}},
		{name: "200 MB of white space in a JSON on standard input (gzipped)", code: exitInput, stderr: []string{"<stdin>", "larger than 32 MiB"}, maxRSS: 96 << 20,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				var b bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
				zw.Write([]byte("{"))
				repeatTo(bytes.Repeat([]byte(" "), 1<<20), 200<<20)(zw)
				zw.Close()
				return []string{"info", "-"}, &b
			}},
		{name: "a 256 MiB line in a .tar.gz", code: exitInput, stderr: []string{"line.tar.gz:line.txt:1", "key of 268435456 bytes"}, maxRSS: hostileRSS,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := filepath.Join(in, "line.tar.gz")
				size := int64(256<<20) + 5
				tarGz(t, p, []tarMember{{name: "line.txt", size: size, fill: func(w io.Writer) error {
					repeatTo(bytes.Repeat([]byte("k"), 1<<20), 256<<20)(w)
					_, err := w.Write([]byte(": 1\n\n"))
					return err
				}}})
				return []string{"info", p}, nil
			}},
		// 4. Archives.
		{name: "tar cut at a member boundary", code: exitInput, stderr: []string{"cut.tar", "truncated archive"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", write(t, filepath.Join(in, "cut.tar"), tarBytes(t, valid(3), false))}, nil
			}},
		{name: ".tar.gz missing its last bytes", code: exitInput, stderr: []string{"short.tar.gz", "truncated"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				gz := gzBytes(t, tarBytes(t, valid(3), true))
				return []string{"info", write(t, filepath.Join(in, "short.tar.gz"), gz[:len(gz)-4])}, nil
			}},
		{name: ".tar.gz with a bad CRC", code: exitInput, stderr: []string{"crc.tar.gz", "checksum"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				gz := gzBytes(t, tarBytes(t, valid(3), true))
				gz[len(gz)-8] ^= 0xff
				return []string{"info", write(t, filepath.Join(in, "crc.tar.gz"), gz)}, nil
			}},
		{name: "duplicate member names", code: exitInput, stderr: []string{"dup.tar", `"run/a.txt"`, `"./run/a.txt"`, "same file"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", write(t, filepath.Join(in, "dup.tar"), tarBytes(t, []tarMember{{name: "run/a.txt", body: dump}, {name: "./run/a.txt", body: dump}}, true))}, nil
			}},
		{name: "a symlink out of the archive", code: exitInput, stderr: []string{"out.tar", `"run/b.txt"`, "outside the archive"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", write(t, filepath.Join(in, "out.tar"), tarBytes(t, []tarMember{{name: "run/a.txt", body: dump}, {name: "run/b.txt", typ: tar.TypeSymlink, link: "../../etc/passwd"}}, true))}, nil
			}},
		{name: "a hard link to a missing member", code: exitInput, stderr: []string{"miss.tar", `"run/b.txt"`, "not in the archive"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", write(t, filepath.Join(in, "miss.tar"), tarBytes(t, []tarMember{{name: "run/a.txt", body: dump}, {name: "run/b.txt", typ: tar.TypeLink, link: "run/zzz.txt"}}, true))}, nil
			}},
		{name: "a FIFO member", code: exitInput, stderr: []string{"fifo.tar", `"run/p"`, "not a regular file"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", write(t, filepath.Join(in, "fifo.tar"), tarBytes(t, []tarMember{{name: "run/a.txt", body: dump}, {name: "run/p", typ: tar.TypeFifo}}, true))}, nil
			}},
		{name: "links: the same sums as the folder, in every format and order", code: 0,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				d := filepath.Join(in, "run")
				write(t, filepath.Join(d, "a.txt"), dump)
				write(t, filepath.Join(d, "b.txt"), bytes.ReplaceAll(dump, []byte(" : 1\n"), []byte(" : 2\n")))
				os.Symlink("a.txt", filepath.Join(d, "c.txt"))
				os.Link(filepath.Join(d, "b.txt"), filepath.Join(d, "d.txt"))
				members := []tarMember{
					{name: "run/", typ: tar.TypeDir},
					{name: "run/a.txt", body: dump},
					{name: "run/b.txt", body: bytes.ReplaceAll(dump, []byte(" : 1\n"), []byte(" : 2\n"))},
					{name: "run/c.txt", typ: tar.TypeSymlink, link: "a.txt"},
					{name: "run/d.txt", typ: tar.TypeLink, link: "run/b.txt"},
				}
				plain := tarBytes(t, members, true)
				write(t, filepath.Join(in, "run.tar"), plain)
				write(t, filepath.Join(in, "run.tar.gz"), gzBytes(t, plain))
				write(t, filepath.Join(in, "run.tar.zst"), zstdBytes(t, plain))
				return []string{"info", filepath.Join(in, "run.tar")}, nil
			},
			check: func(t *testing.T, in, out string, r pystatsResult) {
				folder := summaryJSON(t, out, filepath.Join(in, "run"))
				if folder["__nfiles__"] != 4.0 {
					t.Fatalf("folder: __nfiles__ %v, want 4", folder["__nfiles__"])
				}
				for _, a := range []string{"run.tar", "run.tar.gz", "run.tar.zst"} {
					p := filepath.Join(in, a)
					sameCounters(t, a, folder, summaryJSON(t, out, p))
					byName, _ := os.ReadFile(filepath.Join(out, "s.md"))
					summaryJSON(t, out, p, "--file-order", "directory")
					byDir, _ := os.ReadFile(filepath.Join(out, "s.md"))
					if !bytes.Equal(byName, byDir) {
						t.Errorf("%s: --file-order changes an archive's report", a)
					}
				}
			}},
		{name: "x.json.gz and dump.txt.gz are read by content", code: 0,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				write(t, filepath.Join(in, "a.txt"), dump)
				write(t, filepath.Join(in, "dump.txt.gz"), gzBytes(t, dump))
				write(t, filepath.Join(in, "dump.txt.zst"), zstdBytes(t, dump))
				return []string{"info", filepath.Join(in, "dump.txt.gz")}, nil
			},
			check: func(t *testing.T, in, out string, r pystatsResult) {
				plain := summaryJSON(t, out, filepath.Join(in, "a.txt"))
				sameCounters(t, "dump.txt.gz", plain, summaryJSON(t, out, filepath.Join(in, "dump.txt.gz")))
				sameCounters(t, "dump.txt.zst", plain, summaryJSON(t, out, filepath.Join(in, "dump.txt.zst")))
				j := filepath.Join(out, "x.json")
				rr := runPystats(t, nil, "summarize", filepath.Join(in, "a.txt"), "-o", filepath.Join(out, "x.md"), "--json-output", j)
				if rr.code != 0 {
					t.Fatal(rr.stderr)
				}
				raw, _ := os.ReadFile(j)
				write(t, filepath.Join(out, "x.json.gz"), gzBytes(t, raw))
				sameCounters(t, "x.json.gz", plain, summaryJSON(t, out, filepath.Join(out, "x.json.gz")))
				// 6. A byte order mark before JSON.
				write(t, filepath.Join(out, "bom.json"), append([]byte("\xef\xbb\xbf"), raw...))
				sameCounters(t, "BOM JSON", plain, summaryJSON(t, out, filepath.Join(out, "bom.json")))
			}},
		{name: "an archive on standard input", code: 0, stderr: nil,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", "-"}, bytes.NewReader(gzBytes(t, tarBytes(t, valid(2), true)))
			},
			check: func(t *testing.T, in, out string, r pystatsResult) {
				if !strings.Contains(r.stdout, "<stdin> (tarball)") || !strings.Contains(r.stdout, "files:          2") {
					t.Errorf("stdout %q", r.stdout)
				}
			}},
		{name: "standard input given twice", code: exitInput, stderr: []string{"standard input is read once"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"compare", "-", "-"}, bytes.NewReader(dump)
			}},
		{name: "a tar name holding a dump", code: exitInput, stderr: []string{"fake.tar.gz", "not a tar archive"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", write(t, filepath.Join(in, "fake.tar.gz"), gzBytes(t, dump))}, nil
			}},
		// 7. Keys: one verdict for every command, with file and line.
		{name: "GC[] collections, for export too", code: exitInput, stderr: []string{lastLine, `key "GC[] collections"`},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := write(t, filepath.Join(in, "k.txt"), append(append([]byte(nil), dump...), "GC[] collections : 5\n"...))
				return []string{"export", p, "-o", filepath.Join(out, "exp")}, nil
			}},
		{name: "a huge GC generation, for summarize too", code: exitInput, stderr: []string{lastLine, "GC generation", "0 to 4095"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := write(t, filepath.Join(in, "k.txt"), append(append([]byte(nil), dump...), "GC[99999999999999999999] collections : 5\n"...))
				return []string{"summarize", p}, nil
			}},
		{name: "a histogram bucket -5 is a plain counter everywhere", code: 0,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				p := write(t, filepath.Join(in, "k.txt"), append(append([]byte(nil), dump...), "Trace length[-5] : 5\n"...))
				return []string{"export", p, "-o", filepath.Join(out, "exp")}, nil
			}},
		// 8. Long values clipped.
		{name: "a 100,000-digit counter value", code: exitInput, stderr: []string{"big.txt:1:", "(100000 digits)"}, maxStderr: 600,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", write(t, filepath.Join(in, "big.txt"), []byte("Frames pushed : "+strings.Repeat("7", 100000)+"\n"))}, nil
			}},
		{name: "a 1,000,000-digit counter value (longer than a read block)", code: exitInput, stderr: []string{"big.txt:2:", "(1000000 digits)"}, maxStderr: 600,
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"info", write(t, filepath.Join(in, "big.txt"), []byte("Frames pushed : 1\nFrames pushed : "+strings.Repeat("7", 1000000)+"\n"))}, nil
			}},
	}
	// 5. Empty inputs.
	for _, e := range []struct{ name, body string }{
		{"empty.txt", ""}, {"braces.json", "{}"}, {"null.json", "null"}, {"string.json", `"abc"`}, {"blank.txt", " \n\t\n\n"},
	} {
		tests = append(tests, hostileCase{name: "empty input " + e.name, code: exitInput, stderr: []string{e.name, "no counters"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				return []string{"summarize", write(t, filepath.Join(in, e.name), []byte(e.body))}, nil
			}})
	}
	tests = append(tests,
		hostileCase{name: "empty folder", code: exitInput, stderr: []string{"empty", "no counters"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				os.Mkdir(filepath.Join(in, "empty"), 0o755)
				return []string{"summarize", filepath.Join(in, "empty")}, nil
			}},
		hostileCase{name: "folder of empty files", code: exitInput, stderr: []string{"d", "no counters"},
			setup: func(t *testing.T, in, out string) ([]string, io.Reader) {
				write(t, filepath.Join(in, "d", "a.txt"), nil)
				write(t, filepath.Join(in, "d", "b.txt"), []byte("\n"))
				return []string{"summarize", filepath.Join(in, "d")}, nil
			}},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			in, out := filepath.Join(root, "in"), filepath.Join(root, "out")
			os.Mkdir(in, 0o755)
			os.Mkdir(out, 0o755)
			args, stdin := tc.setup(t, in, out)
			before := hashTree(t, in)
			if tc.maxRSS > 0 {
				resetPeakRSS(t)
			}
			r := runPystats(t, stdin, args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %.400s", r.code, tc.code, r.stderr)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %.400q lacks %q", r.stderr, s)
				}
			}
			if tc.maxStderr > 0 && len(r.stderr) > tc.maxStderr {
				t.Errorf("%d bytes of messages, want at most %d", len(r.stderr), tc.maxStderr)
			}
			if tc.maxRSS > 0 && r.rss > tc.maxRSS {
				t.Errorf("peak RSS %.1f MiB, want at most %d MiB", float64(r.rss)/(1<<20), tc.maxRSS>>20)
			}
			if tc.maxRSS > 0 {
				t.Logf("peak RSS %.1f MiB", float64(r.rss)/(1<<20))
			}
			if tc.check != nil && !t.Failed() {
				tc.check(t, in, out, r)
			}
			after := hashTree(t, in)
			for p, h := range before {
				if after[p] != h {
					t.Errorf("input %s changed", p)
				}
			}
			for p := range after {
				if _, ok := before[p]; !ok {
					t.Errorf("file %s appeared among the inputs", p)
				}
			}
			if s := strays(root); len(s) > 0 {
				t.Errorf("stray files: %v", s)
			}
		})
	}
}

// writeRepeated writes head and then n copies of line to path, in pieces.
func writeRepeated(t *testing.T, path, head, line string, n int) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	w.WriteString(head)
	for range n {
		w.WriteString(line)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// resetPeakRSS makes this process small and resets its peak RSS before a
// child is started: Go starts children with vfork semantics, so a child's
// Rusage.Maxrss starts from the parent's high-water mark (Linux records the
// old address space's peak at exec). Writing 5 to clear_refs resets it.
func resetPeakRSS(t *testing.T) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak RSS of the test process: %v", err)
	}
}

// zeroReader reads zeros for ever.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
