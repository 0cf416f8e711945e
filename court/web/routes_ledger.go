package web

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
)

// The ledger's public API: no login, since leaves hold only ids and hashes.
// Anyone (a party, a witness, an auditor) can fetch the key and the signed
// checkpoint and check proofs against them.

// ledgerAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) ledgerAPIRoutes(api fiber.Router) {
	if s.cfg.Ledger == nil {
		return // no key configured: the routes answer "not found"
	}
	api.Get("/ledger/key", s.apiLedgerKey)
	api.Get("/ledger/checkpoint", s.apiLedgerCheckpoint)
	api.Get("/ledger/proof/inclusion", s.apiLedgerInclusion)
	api.Get("/ledger/proof/consistency", s.apiLedgerConsistency)
}

// ledgerPageRoutes adds the page routes of this part.
func (s *Server) ledgerPageRoutes(pages fiber.Router) {}

// apiLedgerKey returns the court's public key as note verifier key text,
// the file courtd verify -key reads.
func (s *Server) apiLedgerKey(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(s.cfg.Ledger.Key().VerifierKey() + "\n")
}

// apiLedgerCheckpoint returns the latest signed checkpoint, as the signed
// note text (C2SP tlog-checkpoint).
func (s *Server) apiLedgerCheckpoint(c *fiber.Ctx) error {
	cp, err := s.cfg.Ledger.Latest(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString(cp.Note)
}

// ledgerParam reads a required non-negative integer query parameter.
func ledgerParam(v *court.Validator, c *fiber.Ctx, name string) int64 {
	q := c.Query(name)
	// Digits only: ParseInt alone would take "+7" too.
	digits := q != "" && strings.Trim(q, "0123456789") == ""
	n, err := strconv.ParseInt(q, 10, 64)
	if !v.Check(digits && err == nil, name, "err.ledger_number") {
		return 0
	}
	return n
}

// apiLedgerInclusion proves that leaf index is in the tree of size leaves
// (size at most the latest signed one).
func (s *Server) apiLedgerInclusion(c *fiber.Ctx) error {
	var v court.Validator
	index, size := ledgerParam(&v, c, "index"), ledgerParam(&v, c, "size")
	if err := v.Err(); err != nil {
		return err
	}
	p, err := s.cfg.Ledger.InclusionProof(c.UserContext(), index, size)
	if err != nil {
		return err
	}
	leaf, err := s.cfg.Ledger.LeafHash(c.UserContext(), index)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"index": index, "size": size,
		"leaf_hash": base64.StdEncoding.EncodeToString(leaf[:]), "proof": ledger.EncodeHashes(p)})
}

// apiLedgerConsistency proves that the tree of old leaves is a prefix of
// the tree of new leaves.
func (s *Server) apiLedgerConsistency(c *fiber.Ctx) error {
	var v court.Validator
	old, cur := ledgerParam(&v, c, "old"), ledgerParam(&v, c, "new")
	if err := v.Err(); err != nil {
		return err
	}
	p, err := s.cfg.Ledger.ConsistencyProof(c.UserContext(), old, cur)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"old": old, "new": cur, "proof": ledger.EncodeHashes(p)})
}
