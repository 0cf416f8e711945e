package main

import "time"

// PublicationInterval is how often serve publishes the rulings signed since
// (anonymised, unless the case is sealed): a signed ruling is public within
// about a minute. See docs/publication.md.
const PublicationInterval = time.Minute
