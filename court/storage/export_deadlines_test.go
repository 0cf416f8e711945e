package storage

// DueSQL exposes the scheduler's query to the tests of its plan.
var DueSQL = dueSQL
