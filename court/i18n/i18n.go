// Package i18n holds the court's message catalogs (Chinese and English) and
// picks the language of a request. Every text a user sees comes from here.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/shangcheng-court/courtd/court"
)

//go:embed locales/*.json
var locales embed.FS

// The languages, the first being the default.
const (
	Chinese = "zh-CN"
	English = "en"
)

// Langs lists the supported languages, default first.
var Langs = []string{Chinese, English}

// Catalog translates message keys.
type Catalog struct {
	bundle  *goi18n.Bundle
	loc     map[string]*goi18n.Localizer
	keys    map[string][]string
	matcher language.Matcher
	log     *slog.Logger
}

// Load parses the embedded catalogs. A malformed catalog fails here, at start.
func Load(log *slog.Logger) (*Catalog, error) {
	if log == nil {
		log = slog.Default()
	}
	b := goi18n.NewBundle(language.MustParse(Chinese))
	c := &Catalog{bundle: b, loc: map[string]*goi18n.Localizer{}, keys: map[string][]string{}, log: log}
	tags := make([]language.Tag, 0, len(Langs))
	// Each language's messages may be split over several files, one per part
	// of the court: <lang>.json and <part>.<lang>.json.
	files, err := fs.Glob(locales, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, l := range Langs {
		for _, f := range files {
			base := strings.TrimSuffix(path.Base(f), ".json")
			if base != l && !strings.HasSuffix(base, "."+l) {
				continue
			}
			mf, err := b.LoadMessageFileFS(locales, f)
			if err != nil {
				return nil, fmt.Errorf("catalog %s: %w", f, err)
			}
			for _, m := range mf.Messages {
				c.keys[l] = append(c.keys[l], m.ID)
			}
		}
		sort.Strings(c.keys[l])
		for i := 1; i < len(c.keys[l]); i++ {
			if c.keys[l][i] == c.keys[l][i-1] {
				return nil, fmt.Errorf("catalog %s: key %q is defined twice", l, c.keys[l][i])
			}
		}
		c.loc[l] = goi18n.NewLocalizer(b, l)
		tags = append(tags, language.MustParse(l))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Keys returns the sorted message keys of one language's catalog.
func (c *Catalog) Keys(lang string) []string { return c.keys[lang] }

// Supported reports whether lang is one of Langs, exactly.
func Supported(lang string) bool {
	for _, l := range Langs {
		if l == lang {
			return true
		}
	}
	return false
}

// Match picks the language for a request: an explicit choice when it is
// supported, else the best match of an Accept-Language header, else Chinese.
func (c *Catalog) Match(choice, acceptLanguage string) string {
	if Supported(choice) {
		return choice
	}
	if acceptLanguage != "" && len(acceptLanguage) < 512 {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			_, i, conf := c.matcher.Match(tags...)
			if conf != language.No {
				return Langs[i]
			}
		}
	}
	return Chinese
}

// T renders the message key in lang with args. Times among the args are shown
// in the court's zone. A missing key is logged and shown as the key itself, so
// a gap is visible rather than silent (a test keeps the catalogs complete).
func (c *Catalog) T(lang, key string, args map[string]any) string {
	l, ok := c.loc[lang]
	if !ok {
		l = c.loc[Chinese]
	}
	if len(args) > 0 {
		shown := make(map[string]any, len(args))
		for k, v := range args {
			if t, ok := v.(time.Time); ok {
				v = t.In(court.Zone).Format("2006-01-02 15:04")
			}
			shown[k] = v
		}
		args = shown
	}
	s, err := l.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: args})
	if err != nil {
		c.log.Warn("message missing", "lang", lang, "key", key, "err", err)
		return key
	}
	return s
}

// M renders a domain message.
func (c *Catalog) M(lang string, m court.Message) string { return c.T(lang, m.Key, m.Args) }
