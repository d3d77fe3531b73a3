package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

func TestEnqueueJobIsIdempotent(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "jobs")
	for i, want := range []int{2, 0} {
		n, err := s.EnqueueJobs(ctx, ws, []store.NewJob{{Kind: "k", Key: "a", Payload: []byte(`{"x":1}`)}, {Kind: "k", Key: "b"}})
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("enqueue %d added %d, want %d", i+1, n, want)
		}
	}
	// Another kind may use the same key.
	if n, err := s.EnqueueJobs(ctx, ws, []store.NewJob{{Kind: "other", Key: "a"}}); err != nil || n != 1 {
		t.Fatalf("other kind: %d, %v", n, err)
	}
	j, err := s.JobByKey(ctx, ws, "k", "a")
	if err != nil {
		t.Fatal(err)
	}
	if string(j.Payload) != `{"x":1}` || j.State != store.JobQueued || j.MaxAttempts != store.DefaultJobAttempts {
		t.Fatalf("job = %+v", j)
	}
	if _, err := s.EnqueueJobs(ctx, ws, []store.NewJob{{Kind: "k"}}); err == nil {
		t.Fatal("a job without a key was accepted")
	}
}

// Two stores on one database stand for two nodes; each runs two workers.
// No job may be held by two workers at once, and every job runs once.
func TestTwoWorkersNeverRunTheSameJob(t *testing.T) {
	a, dsn := storetest.OpenDSN(t)
	b, err := store.Open(ctx, dsn, store.Options{SecretKey: storetest.TestKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ws := workspace(t, a, "two")
	const jobs = 300
	var batch []store.NewJob
	for i := range jobs {
		batch = append(batch, store.NewJob{Kind: "work", Key: fmt.Sprint(i)})
	}
	if _, err := a.EnqueueJobs(ctx, ws, batch); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	running := map[int64]string{}
	runs := map[int64]int{}
	var overlap []string
	var wg sync.WaitGroup
	for i, s := range []*store.Store{a, b, a, b} {
		worker := fmt.Sprintf("w%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idle := 0; idle < 3; {
				got, err := s.ClaimJobs(ctx, worker, []string{"work"}, 7, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					idle++
					time.Sleep(20 * time.Millisecond)
					continue
				}
				idle = 0
				mu.Lock()
				for _, j := range got {
					if other, busy := running[j.ID]; busy {
						overlap = append(overlap, fmt.Sprintf("job %d held by %s and %s", j.ID, other, worker))
					}
					running[j.ID] = worker
					runs[j.ID]++
				}
				mu.Unlock()
				time.Sleep(time.Millisecond)
				for _, j := range got {
					mu.Lock()
					delete(running, j.ID)
					mu.Unlock()
					if err := s.CompleteJob(ctx, j.ID, worker); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(overlap) > 0 {
		t.Fatalf("%d overlaps, first: %s", len(overlap), overlap[0])
	}
	if len(runs) != jobs {
		t.Fatalf("%d jobs ran, want %d", len(runs), jobs)
	}
	for id, n := range runs {
		if n != 1 {
			t.Fatalf("job %d ran %d times", id, n)
		}
	}
	counts, err := a.JobCounts(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0].State != store.JobDone || counts[0].N != jobs {
		t.Fatalf("counts = %+v", counts)
	}
}

// A worker that dies keeps its jobs only until the lease runs out; then
// another worker runs them, and the dead worker's late report is refused.
func TestJobOfDeadWorkerRunsAfterLease(t *testing.T) {
	a, dsn := storetest.OpenDSN(t)
	b, err := store.Open(ctx, dsn, store.Options{SecretKey: storetest.TestKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ws := workspace(t, a, "lease")
	if _, err := a.EnqueueJobs(ctx, ws, []store.NewJob{{Kind: "work", Key: "1"}}); err != nil {
		t.Fatal(err)
	}
	lease := 400 * time.Millisecond
	first, err := a.ClaimJobs(ctx, "dies", []string{"work"}, 10, lease)
	if err != nil || len(first) != 1 {
		t.Fatalf("first claim: %v, %v", first, err)
	}
	if got, err := b.ClaimJobs(ctx, "lives", []string{"work"}, 10, lease); err != nil || len(got) != 0 {
		t.Fatalf("claimed a leased job: %v, %v", got, err)
	}
	if err := a.ExtendJob(ctx, first[0].ID, "dies", lease); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
	time.Sleep(lease + 100*time.Millisecond)
	got, err := b.ClaimJobs(ctx, "lives", []string{"work"}, 10, time.Minute)
	if err != nil || len(got) != 1 {
		t.Fatalf("claim after the lease: %v, %v", got, err)
	}
	if got[0].Attempts != 2 || got[0].LockedBy != "lives" {
		t.Fatalf("reclaimed job = %+v", got[0])
	}
	if err := a.CompleteJob(ctx, first[0].ID, "dies"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("late completion: %v, want ErrLeaseLost", err)
	}
	if err := b.CompleteJob(ctx, got[0].ID, "lives"); err != nil {
		t.Fatal(err)
	}
}

func TestJobRetriesThenDies(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "retry")
	if _, err := s.EnqueueJobs(ctx, ws, []store.NewJob{{Kind: "work", Key: "1", MaxAttempts: 2}}); err != nil {
		t.Fatal(err)
	}
	claim := func() store.Job {
		t.Helper()
		got, err := s.ClaimJobs(ctx, "w", []string{"work"}, 1, time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim: %v, %v", got, err)
		}
		return got[0]
	}
	j := claim()
	// Waiting for something is not a failure: the attempt is given back.
	if err := s.SnoozeJob(ctx, j.ID, "w", time.Now()); err != nil {
		t.Fatal(err)
	}
	j = claim()
	if j.Attempts != 1 {
		t.Fatalf("attempts after a snooze = %d", j.Attempts)
	}
	if dead, err := s.RetryJob(ctx, j, "w", errors.New("busy"), time.Now()); err != nil || dead {
		t.Fatalf("first failure: dead=%v err=%v", dead, err)
	}
	j = claim()
	if j.LastError != "busy" || j.Attempts != 2 {
		t.Fatalf("job = %+v", j)
	}
	if dead, err := s.RetryJob(ctx, j, "w", errors.New("still busy"), time.Time{}); err != nil || !dead {
		t.Fatalf("last failure: dead=%v err=%v", dead, err)
	}
	if got, _ := s.ClaimJobs(ctx, "w", []string{"work"}, 1, time.Minute); len(got) != 0 {
		t.Fatal("a dead job was claimed")
	}
	deadJobs, err := s.DeadJobs(ctx, ws, 10)
	if err != nil || len(deadJobs) != 1 || deadJobs[0].LastError != "still busy" {
		t.Fatalf("dead jobs = %+v, %v", deadJobs, err)
	}
	if n, err := s.RetryDeadJobs(ctx, ws, ""); err != nil || n != 1 {
		t.Fatalf("retry dead: %d, %v", n, err)
	}
	if j := claim(); j.Attempts != 1 {
		t.Fatalf("revived job = %+v", j)
	}
}

func TestJobBackoffGrows(t *testing.T) {
	prev := time.Duration(0)
	for _, n := range []int{1, 2, 3, 5, 8} {
		d := store.JobBackoff(n)
		if d <= prev/2 || d > 13*time.Minute {
			t.Fatalf("backoff(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
	if d := store.JobBackoff(40); d < 10*time.Minute || d > 13*time.Minute {
		t.Fatalf("backoff(40) = %v, want about 10 min", d)
	}
}
