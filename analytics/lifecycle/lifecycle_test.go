package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"siyu.dev/siyu/analytics/rfm"
)

func day(s string) rfm.Day {
	d, err := rfm.ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

func days(ss ...string) []rfm.Day {
	var out []rfm.Day
	for _, s := range ss {
		out = append(out, day(s))
	}
	return out
}

// The hand-made customers of the tests and of the documentation's example
// (default thresholds: silent after 90 days, churned after 180).
var (
	custA = Customer{ID: 1, Since: day("2024-01-01"), Orders: days("2024-01-10")}
	custB = Customer{ID: 2, Orders: days("2024-03-01", "2024-03-01")}
	custC = Customer{ID: 3, Since: day("2024-02-01")}
	custD = Customer{ID: 4, Orders: days("2024-01-05", "2024-05-01", "2024-05-20")}
	custE = Customer{ID: 5, Since: day("2024-06-01"), Orders: days("2024-03-01")} // known after the first order
	hand  = []Customer{custA, custB, custC, custD, custE}
)

func seq(cs []Customer) func(func(Customer, error) bool) {
	return func(yield func(Customer, error) bool) {
		for _, c := range cs {
			if !yield(c, nil) {
				return
			}
		}
	}
}

func TestAppendChangesByHand(t *testing.T) {
	ch := func(d string, from, to Stage) Change { return Change{day(d), from, to} }
	tests := []struct {
		c    Customer
		want []Change
	}{
		{custA, []Change{
			ch("2024-01-01", None, New),
			ch("2024-01-10", New, FirstOrder),
			ch("2024-04-10", FirstOrder, Silent), // 91 days after the order
			ch("2024-07-09", Silent, Churned),    // 181 days after
		}},
		{custB, []Change{ // two orders on the first day: straight to repeat
			ch("2024-03-01", None, Repeat),
			ch("2024-05-31", Repeat, Silent),
			ch("2024-08-29", Silent, Churned),
		}},
		{custC, []Change{ch("2024-02-01", None, New)}},
		{custD, []Change{
			ch("2024-01-05", None, FirstOrder),
			ch("2024-04-05", FirstOrder, Silent),
			ch("2024-05-01", Silent, Repeat), // back before churning
			ch("2024-08-19", Repeat, Silent), // 91 days after 05-20
			ch("2024-11-17", Silent, Churned),
		}},
		{custE, []Change{
			ch("2024-03-01", None, FirstOrder),
			ch("2024-05-31", FirstOrder, Silent),
			ch("2024-08-29", Silent, Churned),
		}},
	}
	for _, tt := range tests {
		got := AppendChanges(nil, tt.c, Config{})
		if !slices.Equal(got, tt.want) {
			t.Errorf("customer %d:\n got %v\nwant %v", tt.c.ID, got, tt.want)
		}
	}
	got := AppendChanges(nil, custA, Config{SilentAfter: 30, ChurnedAfter: 31})
	want := []Change{ch("2024-01-01", None, New), ch("2024-01-10", New, FirstOrder), ch("2024-02-10", FirstOrder, Silent), ch("2024-02-11", Silent, Churned)}
	if !slices.Equal(got, want) {
		t.Errorf("30/31 days:\n got %v\nwant %v", got, want)
	}
}

func TestStageAtBoundaries(t *testing.T) {
	tests := []struct {
		c    Customer
		day  string
		want Stage
	}{
		{custA, "2023-12-31", None},
		{custA, "2024-01-01", New},
		{custA, "2024-01-09", New},
		{custA, "2024-01-10", FirstOrder}, // the order day counts
		{custA, "2024-04-09", FirstOrder}, // 90 days: still active
		{custA, "2024-04-10", Silent},     // 91 days
		{custA, "2024-07-08", Silent},     // 180 days: still silent
		{custA, "2024-07-09", Churned},    // 181 days
		{custA, "2030-01-01", Churned},
		{custB, "2024-02-29", None},
		{custB, "2024-03-01", Repeat},
		{custC, "2099-01-01", New},
		{custD, "2024-04-30", Silent},
		{custD, "2024-05-01", Repeat},
		{custE, "2024-02-29", None},
		{custE, "2024-03-01", FirstOrder},
	}
	for _, tt := range tests {
		if got := StageAt(tt.c, day(tt.day), Config{}); got != tt.want {
			t.Errorf("StageAt(customer %d, %s) = %s, want %s", tt.c.ID, tt.day, got, tt.want)
		}
	}
}

func TestFlowsDailyByHand(t *testing.T) {
	f, err := Flows(seq(hand), Range{From: day("2024-04-04"), To: day("2024-04-11")}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Buckets) != 8 || f.Customers != 5 {
		t.Fatalf("%d buckets, %d customers", len(f.Buckets), f.Customers)
	}
	wantOpen := Counts{New: 1, FirstOrder: 3, Repeat: 1}
	if f.Buckets[0].Open != wantOpen {
		t.Errorf("open %v, want %v", f.Buckets[0].Open, wantOpen)
	}
	want := []Transition{
		{Start: day("2024-04-05"), From: FirstOrder, To: Silent, Count: 1}, // D
		{Start: day("2024-04-10"), From: FirstOrder, To: Silent, Count: 1}, // A
	}
	if got := f.Transitions(); !slices.Equal(got, want) {
		t.Errorf("transitions %v, want %v", got, want)
	}
	last := f.Buckets[len(f.Buckets)-1]
	if wantClose := (Counts{New: 1, FirstOrder: 1, Repeat: 1, Silent: 2}); last.Close != wantClose {
		t.Errorf("close %v, want %v", last.Close, wantClose)
	}
}

func TestFlowsMonthlyByHand(t *testing.T) {
	f, err := Flows(seq(hand), Range{From: day("2024-01-01"), To: day("2024-12-31"), Period: Monthly}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Buckets) != 12 {
		t.Fatalf("%d buckets", len(f.Buckets))
	}
	jan := f.Buckets[0]
	if jan.Start != day("2024-01-01") || jan.End != day("2024-01-31") {
		t.Errorf("January is %s..%s", jan.Start, jan.End)
	}
	// A went none → new → first_order within January: one flow, two moves.
	if jan.Flow[None][FirstOrder] != 2 || jan.Flow[None][None] != 3 || jan.Flow[None][New] != 0 {
		t.Errorf("January flow %v", jan.Flow)
	}
	if jan.Moves[None][New] != 1 || jan.Moves[New][FirstOrder] != 1 || jan.Moves[None][FirstOrder] != 1 {
		t.Errorf("January moves %v", jan.Moves)
	}
	wantLinks := []Link{{None, None, 3}, {None, FirstOrder, 2}}
	if got := jan.Links(); !slices.Equal(got, wantLinks) {
		t.Errorf("January links %v, want %v", got, wantLinks)
	}
	may := f.Buckets[4]
	// D came back; B and E went silent on 05-31.
	if may.Flow[Silent][Repeat] != 1 || may.Flow[Repeat][Silent] != 1 || may.Flow[FirstOrder][Silent] != 1 {
		t.Errorf("May flow %v", may.Flow)
	}
	dec := f.Buckets[11]
	if want := (Counts{New: 1, Churned: 4}); dec.Close != want {
		t.Errorf("December close %v, want %v", dec.Close, want)
	}
}

func TestFlowsWeeksStartOnMonday(t *testing.T) {
	// 2024-04-03 is a Wednesday.
	f, err := Flows(seq(hand), Range{From: day("2024-04-03"), To: day("2024-04-22"), Period: Weekly}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range f.Buckets {
		got = append(got, b.Start.String()+".."+b.End.String())
	}
	want := []string{"2024-04-03..2024-04-07", "2024-04-08..2024-04-14", "2024-04-15..2024-04-21", "2024-04-22..2024-04-22"}
	if !slices.Equal(got, want) {
		t.Errorf("weeks %v, want %v", got, want)
	}
}

func TestFlowsErrors(t *testing.T) {
	r := Range{From: day("2024-01-01"), To: day("2024-02-01")}
	tests := []struct {
		cs   []Customer
		r    Range
		cfg  Config
		want string
	}{
		{hand, Range{From: day("2024-02-01"), To: day("2024-01-01")}, Config{}, "before it starts"},
		{hand, Range{From: day("2000-01-01"), To: day("2200-01-01")}, Config{}, "longer than"},
		{hand, Range{From: r.From, To: r.To, Period: 9}, Config{}, "unknown period"},
		{hand, r, Config{SilentAfter: 100, ChurnedAfter: 100}, "must be more than silent"},
		{hand, r, Config{SilentAfter: -1}, "between 1 and"},
		{[]Customer{custB, custA}, r, Config{}, "customer 1 comes after 2"},
		{[]Customer{{ID: 7, Orders: days("2024-02-01", "2024-01-01")}}, r, Config{}, "customer 7: order days out of order"},
	}
	for _, tt := range tests {
		_, err := Flows(seq(tt.cs), tt.r, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Flows(%v, %+v) error %v, want %q", tt.cs, tt.cfg, err, tt.want)
		}
	}
}

func TestSnapshot(t *testing.T) {
	got, err := Snapshot(seq(hand), day("2024-06-01"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	// A silent (143 days), B silent, C new, D repeat, E silent.
	if want := (Counts{New: 1, Repeat: 1, Silent: 3}); got != want {
		t.Errorf("snapshot %v, want %v", got, want)
	}
	if got.Total() != 5 {
		t.Errorf("total %d", got.Total())
	}
}

func TestStageText(t *testing.T) {
	for _, s := range Stages {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Stage
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("round trip of %s: %s %v", s, back, err)
		}
		if s.Label() == "" {
			t.Errorf("stage %s has no label", s)
		}
	}
	js, err := (Counts{New: 2, Churned: 1}).MarshalJSON()
	if err != nil || !strings.Contains(string(js), `"churned":1`) || !strings.Contains(string(js), `"new":2`) {
		t.Errorf("Counts JSON %s, %v", js, err)
	}
	if fmt.Sprint(Stage(9)) != "Stage(9)" {
		t.Errorf("invalid stage prints %s", Stage(9))
	}
}

func FuzzStageUnmarshalText(f *testing.F) {
	for _, s := range Stages {
		f.Add(s.String())
	}
	f.Add("")
	f.Fuzz(func(t *testing.T, code string) {
		var s Stage
		if err := s.UnmarshalText([]byte(code)); err != nil {
			return
		}
		if s.String() != code {
			t.Errorf("%q read as %s", code, s)
		}
	})
}
