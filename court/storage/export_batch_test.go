package storage

// SetFilingOneByOne turns the multi-row fast path of the group commit off
// (on: false), to compare the two in tests and benchmarks.
func (db *DB) SetFilingOneByOne(on bool) { db.filings.oneByOne = on }
