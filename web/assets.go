package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"sync"
)

// Static files linked with a version (assetURL) may be cached for a year:
// the version is a hash of the file, so a new binary with a changed file
// links a new URL. Unversioned links get an hour.
const (
	versionedCache   = "public, max-age=31536000, immutable"
	unversionedCache = "public, max-age=3600"
)

// staticVersions maps each embedded static file (path under static/) to
// the first hex digits of its SHA-256, computed once.
var staticVersions = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	err := fs.WalkDir(embedded, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path[len("static/"):]] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic("web: hashing static files: " + err.Error())
	}
	return out
})

// assetURL is the versioned URL of a static file, e.g.
// "/static/dashboard.js?v=1a2b3c4d5e6f". A file that does not exist is a
// template error, not a broken link.
func assetURL(path string) (string, error) {
	v, ok := staticVersions()[path]
	if !ok {
		return "", fs.ErrNotExist
	}
	return "/static/" + path + "?v=" + v, nil
}

// staticCacheControl is the Cache-Control of a static file requested with
// the version v ("" when the link had none).
func staticCacheControl(path, v string) string {
	if v != "" && staticVersions()[path] == v {
		return versionedCache
	}
	return unversionedCache
}
