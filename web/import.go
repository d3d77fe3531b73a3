package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"siyu.dev/siyu"
)

const (
	// MaxUploadBytes is the largest order file the import page accepts.
	MaxUploadBytes = 200 << 20
	maxFieldBytes  = 1 << 10 // a form field next to the file
	maxParts       = 16
	shownRowErrors = 50
)

// Import formats offered on the page.
var importFormats = []string{"generic", "taobao"}

type importFormData struct {
	Formats []string
	Format  string
	Strict  bool
	Error   string // message key
	MaxMB   int
}

type importResultData struct {
	Filename string
	Format   string
	Strict   bool
	Result   siyu.ImportResult
	Errors   []siyu.RowError // the first shownRowErrors
	Elapsed  string
	Failed   string // the importer's error, if it stopped
}

func (c *Console) importPage(w http.ResponseWriter, r *http.Request) {
	c.showImportForm(w, r, http.StatusOK, importFormData{Format: "generic"})
}

func (c *Console) showImportForm(w http.ResponseWriter, r *http.Request, status int, d importFormData) {
	d.Formats = importFormats
	d.MaxMB = MaxUploadBytes >> 20
	c.render(w, r, status, "import", c.newView(r, "import.title", "import", d))
}

// upload is a parsed import form. The file is in a temporary file that the
// caller must remove.
type upload struct {
	csrf     string
	format   string
	strict   bool
	filename string
	file     *os.File
}

func (u *upload) remove() {
	if u.file != nil {
		u.file.Close()
		os.Remove(u.file.Name())
	}
}

var (
	errUploadTooLarge = errors.New("upload too large")
	errNoFile         = errors.New("no file in the upload")
	errBadForm        = errors.New("malformed upload form")
)

// readUpload streams the multipart form: small fields into memory, the file
// into a temporary file, so that a 200 MB export never sits in memory. The
// upload is returned also with an error, for its CSRF token; the caller
// removes it either way.
func readUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	u := &upload{}
	// Room for the other fields and the multipart framing next to the file.
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return u, errBadForm
	}
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return u, uploadError(err)
		}
		if parts >= maxParts {
			return u, errBadForm
		}
		switch name := p.FormName(); name {
		case "file":
			if u.file != nil {
				return u, errBadForm
			}
			if err := u.saveFile(p); err != nil {
				return u, err
			}
		case csrfField, "format", "strict":
			b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
			if err != nil || len(b) > maxFieldBytes {
				return u, uploadError(err)
			}
			switch name {
			case csrfField:
				u.csrf = string(b)
			case "format":
				u.format = string(b)
			case "strict":
				u.strict = string(b) != ""
			}
		}
		p.Close()
	}
	if u.file == nil {
		return u, errNoFile
	}
	return u, nil
}

func (u *upload) saveFile(p *multipart.Part) error {
	// Only the base name is kept: it is shown on the page and given to the
	// importer for its messages, never used as a path.
	u.filename = filepath.Base(strings.ReplaceAll(p.FileName(), "\\", "/"))
	if u.filename == "." || u.filename == "/" {
		u.filename = ""
	}
	f, err := os.CreateTemp("", "siyu-import-*.csv")
	if err != nil {
		return err
	}
	u.file = f
	n, err := io.Copy(f, io.LimitReader(p, MaxUploadBytes+1))
	if err != nil {
		return uploadError(err)
	}
	if n > MaxUploadBytes {
		return errUploadTooLarge
	}
	if n == 0 {
		return errNoFile
	}
	_, err = f.Seek(0, io.SeekStart)
	return err
}

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errUploadTooLarge
	}
	if err == nil {
		return errBadForm
	}
	return fmt.Errorf("%w: %v", errBadForm, err)
}

func (c *Console) importSubmit(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		c.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	up, err := readUpload(w, r)
	defer up.remove()
	// The token is checked before a word about the upload is said.
	if !c.checkCSRF(r, up.csrf) {
		c.errorPage(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	if err != nil {
		d := importFormData{Format: "generic"}
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, errUploadTooLarge):
			d.Error, status = "import.too_large", http.StatusRequestEntityTooLarge
		case errors.Is(err, errNoFile):
			d.Error = "import.no_file"
		case errors.Is(err, errBadForm):
			d.Error = "error.bad_request"
		default:
			c.internalError(w, r, err)
			return
		}
		c.showImportForm(w, r, status, d)
		return
	}
	d := importFormData{Format: up.format, Strict: up.strict}
	if !validFormat(up.format) {
		d.Format, d.Error = "generic", "import.bad_format"
		c.showImportForm(w, r, http.StatusBadRequest, d)
		return
	}

	started := time.Now()
	res, err := c.importF(r.Context(), st.workspace.ID, up.format, up.filename, up.file, up.strict)
	if res.Elapsed == 0 {
		res.Elapsed = time.Since(started)
	}
	c.log.InfoContext(r.Context(), "console import", "workspace", st.workspace.ID, "user", st.user.ID,
		"file", up.filename, "format", up.format, "rows", res.Rows, "rejected", res.Rejected, "err", err)
	out := importResultData{
		Filename: up.filename,
		Format:   up.format,
		Strict:   up.strict,
		Result:   res,
		Errors:   res.Errors[:min(len(res.Errors), shownRowErrors)],
		Elapsed:  res.Elapsed.Round(time.Millisecond).String(),
	}
	if res.Inserted+res.Updated > 0 {
		c.record(r, "import", "file:"+up.filename, fmt.Sprintf("%s: %d rows, %d new, %d updated, %d unchanged, %d rejected",
			up.format, res.Rows, res.Inserted, res.Updated, res.Unchanged, res.Rejected))
	}
	status := http.StatusOK
	if err != nil {
		// The importer's words are about the user's own file, so they are
		// shown; a failure that is not about the file is also logged above.
		out.Failed = err.Error()
		status = http.StatusInternalServerError
		var rowErr siyu.RowError
		// Rows were refused and the import failed (strict mode): the file
		// is at fault, not the server.
		if errors.Is(err, siyu.ErrInvalid) || errors.As(err, &rowErr) || res.Rejected > 0 {
			status = http.StatusUnprocessableEntity
		}
	}
	c.render(w, r, status, "import_result", c.newView(r, "import.result_title", "import", out))
}

func validFormat(f string) bool {
	for _, x := range importFormats {
		if f == x {
			return true
		}
	}
	return false
}
