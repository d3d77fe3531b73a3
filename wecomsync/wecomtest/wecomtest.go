// Package wecomtest wires, for tests, a real store, the WeCom emulator and
// wecomsync together over loopback HTTP: Siyu's client calls the emulator's
// API, and the emulator posts signed, encrypted callbacks to Siyu's
// receiver — the same wire protocol as the real service.
package wecomtest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
	"siyu.dev/siyu/wecomsync"
)

// Options shape a rig; the zero value is a default emulator population.
type Options struct {
	Slug, Name string          // the workspace; "brand" / "木棉集" by default
	Emulator   emulator.Config // Seed, Population, Policy, Now
	Sync       wecomsync.Options
	// RunEvery, when set, runs the emulator's clock-driven behaviour (such
	// as members confirming mass messages) on the wall clock at this step.
	RunEvery time.Duration
	// FullSync runs a first full sync before New returns.
	FullSync bool
}

// Rig is a workspace whose WeCom app is the emulator.
type Rig struct {
	T     testing.TB
	Store *store.Store
	WS    int64
	Sync  *wecomsync.Service
	Emu   *emulator.Emulator
}

// New builds a rig; everything is closed when the test ends.
func New(t testing.TB, o Options) *Rig {
	t.Helper()
	ctx := context.Background()
	if o.Slug == "" {
		o.Slug, o.Name = "brand", "木棉集"
	}
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, o.Slug, o.Name)
	if err != nil {
		t.Fatal(err)
	}
	emu := emulator.New(o.Emulator)
	t.Cleanup(emu.Close)
	if o.RunEvery > 0 {
		runCtx, stop := context.WithCancel(ctx)
		t.Cleanup(stop)
		go emu.Run(runCtx, o.RunEvery)
	}
	wecomSrv := httptest.NewServer(emu.Handler())
	t.Cleanup(wecomSrv.Close)

	svc := wecomsync.New(st, o.Sync)
	mux := http.NewServeMux()
	mux.HandleFunc("/wecom/callback/{ws}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("ws"), 10, 64)
		h, err := svc.Receiver(r.Context(), id)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
	siyuSrv := httptest.NewServer(mux)
	t.Cleanup(siyuSrv.Close)

	token, key := "siyuCallbackToken", AESKey()
	// Only the base URL and the secrets differ from the real service.
	app := siyu.WeComApp{CorpID: emu.CorpID(), Secret: emu.Secret(), BaseURL: wecomSrv.URL, Token: token, EncodingAESKey: key}
	if err := svc.Configure(ctx, w.ID, app); err != nil {
		t.Fatal(err)
	}
	cb := &emulator.CallbackConfig{URL: fmt.Sprintf("%s/wecom/callback/%d", siyuSrv.URL, w.ID), Token: token, EncodingAESKey: key}
	if err := emu.SetCallback(ctx, cb); err != nil {
		t.Fatalf("the emulator could not verify Siyu's callback URL: %v", err)
	}
	if o.FullSync {
		if _, err := svc.FullSync(ctx, w.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	return &Rig{T: t, Store: st, WS: w.ID, Sync: svc, Emu: emu}
}

// Flush waits for the emulator's callbacks and fails the test on any that
// Siyu refused.
func (r *Rig) Flush() {
	r.T.Helper()
	if err := r.Emu.Flush(context.Background()); err != nil {
		r.T.Fatal(err)
	}
	for _, d := range r.Emu.Deliveries() {
		if d.Status != http.StatusOK {
			r.T.Fatalf("callback delivery: %+v", d)
		}
	}
}

// AESKey returns a random EncodingAESKey (43 characters of base64).
func AESKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}
