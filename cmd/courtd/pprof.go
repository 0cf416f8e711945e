//go:build pprof

package main

// A profiling build for measurements only (go build -tags sqlite_fts5,pprof):
// with COURTD_PPROF=127.0.0.1:6060 the process serves net/http/pprof there,
// and records where goroutines block and wait for locks. The normal build
// carries none of it.

import (
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
)

func init() {
	addr := os.Getenv("COURTD_PPROF")
	if addr == "" {
		return
	}
	runtime.SetBlockProfileRate(100_000) // one sample per 100 us blocked
	runtime.SetMutexProfileFraction(20)
	go http.ListenAndServe(addr, nil)
}
