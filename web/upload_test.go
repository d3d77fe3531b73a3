package web

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func multipartBody(t testing.TB, fields map[string]string, file string) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != "" {
		fw, err := mw.CreateFormFile("file", "../../etc/订单.csv")
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, file)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func TestReadUpload(t *testing.T) {
	ct, body := multipartBody(t, map[string]string{"csrf": "tok", "format": "taobao", "strict": "1", "other": "ignored"}, "a,b\n1,2\n")
	r := httptest.NewRequest(http.MethodPost, "/import", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	u, err := readUpload(httptest.NewRecorder(), r)
	if err != nil {
		t.Fatal(err)
	}
	defer u.remove()
	if u.csrf != "tok" || u.format != "taobao" || !u.strict || u.filename != "订单.csv" {
		t.Errorf("upload %+v", u)
	}
	got, err := io.ReadAll(u.file)
	if err != nil || string(got) != "a,b\n1,2\n" {
		t.Errorf("file %q %v", got, err)
	}
	name := u.file.Name()
	u.remove()
	if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left behind: %v", err)
	}

	ct, body = multipartBody(t, map[string]string{"csrf": "tok"}, "")
	r = httptest.NewRequest(http.MethodPost, "/import", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	u, err = readUpload(httptest.NewRecorder(), r)
	if !errors.Is(err, errNoFile) || u.csrf != "tok" {
		t.Errorf("no file: %v %+v", err, u)
	}
}

func FuzzReadUpload(f *testing.F) {
	ct, body := multipartBody(f, map[string]string{"csrf": "tok", "format": "generic"}, "x,y\n")
	f.Add(body)
	f.Add([]byte("--" + ct[len("multipart/form-data; boundary="):] + "--\r\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := httptest.NewRequest(http.MethodPost, "/import", bytes.NewReader(b))
		r.Header.Set("Content-Type", ct)
		u, err := readUpload(httptest.NewRecorder(), r)
		if u == nil {
			t.Fatal("nil upload")
		}
		defer u.remove()
		if err == nil {
			if u.file == nil {
				t.Fatal("no error and no file")
			}
			st, serr := u.file.Stat()
			if serr != nil || st.Size() == 0 || st.Size() > MaxUploadBytes {
				t.Fatalf("file size %v %v", st, serr)
			}
		}
		if len(u.csrf) > maxFieldBytes || len(u.format) > maxFieldBytes {
			t.Fatal("a field is over its limit")
		}
	})
}
