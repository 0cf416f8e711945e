package main

// Recording of the remote hearings (docs/operations.md, "Hearings:
// recording"), wired in serve.go where the hearing server is made.

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/hearing"
	"github.com/shangcheng-court/courtd/hearing/record"
)

// recordFlags configure the hearings' recording.
type recordFlags struct {
	On          bool
	MaxBytes    int64
	MaxDuration time.Duration
}

func (f *recordFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.On, "hearing-record", true, "record the remote hearings (announced in the room) and attach the recordings to the case")
	fs.Int64Var(&f.MaxBytes, "hearing-record-max-bytes", record.DefaultMaxBytes, "most bytes one hearing's recording may take on disk")
	fs.DurationVar(&f.MaxDuration, "hearing-record-max-duration", record.DefaultMaxDuration, "longest recording of one hearing")
}

func (f *recordFlags) check() error {
	if f.MaxBytes <= 0 || f.MaxDuration <= 0 {
		return errors.New("-hearing-record-max-bytes and -hearing-record-max-duration must be positive")
	}
	return nil
}

// open returns the recorder over <data>/recordings, or nil when recording
// is off.
func (f *recordFlags) open(dataDir string, log *slog.Logger) (*record.Recorder, error) {
	if !f.On {
		return nil, nil
	}
	return record.New(record.Config{Dir: filepath.Join(dataDir, "recordings"), MaxBytes: f.MaxBytes,
		MaxDuration: f.MaxDuration, Logger: log})
}

// wrap makes hooks record, and attach each ended hearing's recording and
// transcript to its case (rec nil: hooks unchanged).
func (f *recordFlags) wrap(rec *record.Recorder, hooks hearing.Hooks, hs *hearings.Service, ev *evidence.Service) hearing.Hooks {
	if rec == nil {
		return hooks
	}
	return rec.Wrap(hooks, func(ctx context.Context, r hearing.Record, files []record.File) error {
		rs := make([]hearings.Recording, len(files))
		for i, file := range files {
			rs[i] = hearings.Recording(file)
		}
		chat := make([]hearings.ChatLine, len(r.Chat))
		for i, m := range r.Chat {
			chat[i] = hearings.ChatLine{Name: m.Name, Role: string(m.Role), Text: m.Text, At: m.At}
		}
		_, err := hs.AttachRecord(ctx, ev, r.Hearing, rs, chat)
		return err
	})
}
