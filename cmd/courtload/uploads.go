package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// uploads: one big exhibit upload (default 1 GiB) through POST
// /api/v1/cases/:id/exhibits, its throughput against sha256sum of the same
// file in the same run and the server's peak memory growth; then c
// concurrent uploads of n-byte files, each checked against its SHA-256.
func uploads(args []string) error {
	fs := flag.NewFlagSet("uploads", flag.ExitOnError)
	bin := fs.String("bin", "./courtd", "courtd binary")
	size := fs.Int64("size", 1<<30, "size of the big upload in bytes")
	conc := fs.Int("c", 100, "concurrent uploads")
	small := fs.Int64("n", 10_000_000, "size of each concurrent upload in bytes")
	fs.Parse(args)

	tmp, err := os.MkdirTemp("", "courtload-files-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	big := filepath.Join(tmp, "big.mp4")
	if err := writeFile(big, *size, 1); err != nil {
		return err
	}

	s, _, err := start(*bin, "-demo", "-max-exhibit", fmt.Sprint(max(*size, *small)))
	if err != nil {
		return err
	}
	defer s.stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc + 8, MaxConnsPerHost: *conc + 8}, Timeout: 30 * time.Minute}
	caseID, token, err := servedCase(hc, s.url)
	if err != nil {
		return err
	}

	// sha256sum twice: the first run warms the page cache for both.
	sumRun := func() (string, time.Duration, error) {
		t0 := time.Now()
		out, err := exec.Command("sha256sum", big).Output()
		if err != nil {
			return "", 0, err
		}
		return strings.Fields(string(out))[0], time.Since(t0), nil
	}
	if _, _, err := sumRun(); err != nil {
		return err
	}
	want, sumTime, err := sumRun()
	if err != nil {
		return err
	}

	base, err := rssKB(s.cmd.Process.Pid)
	if err != nil {
		return err
	}
	stopRSS := make(chan struct{})
	peak := rssPeak(s.cmd.Process.Pid, stopRSS)
	t0 := time.Now()
	got, err := uploadFile(hc, s.url, caseID, token, big, *size)
	upTime := time.Since(t0)
	close(stopRSS)
	peakKB := <-peak
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("big upload: server hash %s, sha256sum %s", got, want)
	}
	mib := float64(*size) / (1 << 20)
	fmt.Printf("big upload: %.0f MiB in %v (%.0f MiB/s); sha256sum %v (%.0f MiB/s); ratio %.0f%%\n",
		mib, upTime.Round(time.Millisecond), mib/upTime.Seconds(), sumTime.Round(time.Millisecond), mib/sumTime.Seconds(),
		100*sumTime.Seconds()/upTime.Seconds())
	fmt.Printf("server RSS: %.1f MiB before, peak %.1f MiB, growth %.1f MiB\n", float64(base)/1024, float64(peakKB)/1024, float64(peakKB-base)/1024)

	// Concurrent uploads of distinct files.
	files := make([]string, *conc)
	sums := make([]string, *conc)
	for i := range files {
		files[i] = filepath.Join(tmp, fmt.Sprintf("small-%d.mp4", i))
		if err := writeFile(files[i], *small, uint64(i+2)); err != nil {
			return err
		}
		if sums[i], err = fileSHA(files[i]); err != nil {
			return err
		}
	}
	base, _ = rssKB(s.cmd.Process.Pid)
	stopRSS = make(chan struct{})
	peak = rssPeak(s.cmd.Process.Pid, stopRSS)
	var wg sync.WaitGroup
	errs := make([]error, *conc)
	t0 = time.Now()
	for i := range files {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got, err := uploadFile(hc, s.url, caseID, token, files[i], *small)
			if err == nil && got != sums[i] {
				err = fmt.Errorf("hash %s, want %s", got, sums[i])
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	el := time.Since(t0)
	close(stopRSS)
	peakKB = <-peak
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if failed <= 3 {
				fmt.Fprintf(os.Stderr, "upload %d: %v\n", i, err)
			}
		}
	}
	total := float64(*small) * float64(*conc) / (1 << 20)
	fmt.Printf("%d concurrent uploads of %.1f MB: %d ok, %d failed, %v (%.0f MiB/s); server RSS growth %.1f MiB\n",
		*conc, float64(*small)/1e6, *conc-failed, failed, el.Round(time.Millisecond), total/el.Seconds(), float64(peakKB-base)/1024)
	if failed > 0 {
		return errors.New("some uploads failed")
	}
	return nil
}

// writeFile writes size bytes: an MP4 file type box, then pseudo-random
// bytes from seed (incompressible, like a video).
func writeFile(path string, size int64, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	head := []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)})
	buf := make([]byte, 1<<20)
	for written := int64(0); written < size; {
		rng.Read(buf)
		if written == 0 {
			copy(buf, head)
		}
		n := int64(len(buf))
		if size-written < n {
			n = size - written
		}
		if _, err := w.Write(buf[:n]); err != nil {
			f.Close()
			return err
		}
		written += n
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileSHA(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// uploadFile sends path as the raw body of an upload and returns the
// SHA-256 the court recorded.
func uploadFile(hc *http.Client, url string, caseID int64, token, path string, size int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/cases/%d/exhibits?title=load&name=%s", url, caseID, filepath.Base(path)), f)
	if err != nil {
		return "", err
	}
	req.ContentLength = size
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 201 {
		return "", fmt.Errorf("status %d: %s", res.StatusCode, b)
	}
	var out struct {
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", err
	}
	return out.SHA256, nil
}

// servedCase files a claim as claimant1 and has clerk1 accept it; it
// returns the case and claimant1's token.
func servedCase(hc *http.Client, url string) (int64, string, error) {
	tok, err := login(hc, url, "claimant1")
	if err != nil {
		return 0, "", err
	}
	clerk, err := login(hc, url, "clerk1")
	if err != nil {
		return 0, "", err
	}
	call := func(token, method, path, body string, want int) ([]byte, error) {
		req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			return nil, fmt.Errorf("%s %s: status %d: %s", method, path, res.StatusCode, b)
		}
		return b, nil
	}
	b, err := call(tok, "POST", "/api/v1/cases", fmt.Sprintf(`{"credit_code":%q,"merchant_name":"杭州西湖龙井茶业有限公司","platform":"直播间",`+
		`"order_ref":"U-1","category":"counterfeit","facts":"直播间购买的龙井茶是假货，商家拒绝退款。","refund":12800,"compensation":0,`+
		`"costs":0,"service_consent":true,"submit":true}`, creditCode()), 201)
	if err != nil {
		return 0, "", err
	}
	var c struct{ ID int64 }
	if err := json.Unmarshal(b, &c); err != nil {
		return 0, "", err
	}
	if _, err := call(clerk, "POST", fmt.Sprintf("/api/v1/cases/%d/review", c.ID), `{"decision":"accept"}`, 200); err != nil {
		return 0, "", err
	}
	return c.ID, tok, nil
}
