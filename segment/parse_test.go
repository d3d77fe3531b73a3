package segment

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
)

func TestParseAccepts(t *testing.T) {
	for _, src := range []string{
		`stage == "silent" and monetary >= 500元 and has_tag("护肤")`,
		`count("moment.liked", 30d, "topic", "skincare") >= 3 && !opted_out`,
		`city in ["上海", "杭州"] and created_at >= "2026-01-01"`,
		`(r_score >= 4 or f_score >= 4) and not (stage in ["churned"])`,
		`3 <= r_score`,
		`p_alive < 0.5 and expected_purchases > 1`,
		`total_paid > 12.5yuan or total_paid >= 100000`,
		`is_contact == false or contact_of("zhangsan")`,
		`in_group("VIP 群") and last_order_at < ago(90d)`,
		`count("message.received") == 0`,
		`count("order.paid", 12h) not in [1, 2]`,
		"stage == 'repeat'\n  and clv >= -5元",
		`name != "张\"三"`,
	} {
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
}

func TestParseErrorsPointAtTheProblem(t *testing.T) {
	for _, tc := range []struct {
		src       string
		line, col int
		msg       string
	}{
		{`stage = "silent"`, 1, 7, "use =="},
		{`stage == "silnt"`, 1, 10, "one of"},
		{`stag == "silent"`, 1, 1, "did you mean stage"},
		{`monetary >= "lots"`, 1, 13, "money"},
		{`order_count > 2.5`, 1, 15, "whole number"},
		{`total_paid > 12.5`, 1, 14, "元"},
		{"stage == \"silent\" and\n   has_tag(护肤)", 2, 12, "unexpected character"},
		{"city == \"上海\"\nand recency_days >= \"x\"", 2, 21, "whole number"},
		{`has_tag("a") and`, 1, 17, "expected a field"},
		{`count("moment.liked", 30) > 1`, 1, 23, "duration"},
		{`count("moment.liked", 30x) > 1`, 1, 23, "unknown unit"},
		{`count("x", 1d, "topic") > 1`, 1, 16, "key and a value"},
		{`count("x", 1d, "to pic", "y") > 1`, 1, 16, "letters"},
		{`count("x") > "y"`, 1, 14, "whole number"},
		{`recency_days`, 1, 1, "not a condition"},
		{`created_at > "yesterday"`, 1, 14, "not a date"},
		{`city < "上海"`, 1, 6, "text can only"},
		{`(stage == "new"`, 1, 16, "expected )"},
		{`"上海" == "上海"`, 1, 6, "no field"},
		{`has_tag()`, 1, 1, "one argument"},
		{`stage == “silent”`, 1, 10, "straight quotes"},
		{`city == "上海`, 1, 9, "closing"},
		{``, 1, 1, "empty"},
		{`opted_out > true`, 1, 11, "true or false"},
		{`frobnicate("x")`, 1, 1, "unknown function"},
		{`ago(3d) < created_at`, 1, 1, "value"},
		{`stage in []`, 1, 11, "empty"},
		{`city == "a" city == "b"`, 1, 13, "unexpected"},
		{`城市 == "上海"`, 1, 1, "unexpected character"},
	} {
		_, err := Parse(tc.src)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a positioned error", tc.src, err)
			continue
		}
		if pe.Pos.Line != tc.line || pe.Pos.Col != tc.col || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("Parse(%q) = %v, want %d:%d …%s…", tc.src, err, tc.line, tc.col, tc.msg)
		}
	}
}

func TestMoneyAndDatesAreExact(t *testing.T) {
	r, err := Parse(`total_paid >= 1234.56元 and created_at >= "2026-01-01"`)
	if err != nil {
		t.Fatal(err)
	}
	q := r.Count(SQLite, 7, time.Now())
	want := time.Date(2026, 1, 1, 0, 0, 0, 0, siyu.Shanghai).UnixMilli()
	if len(q.Args) != 3 || q.Args[0] != int64(7) || q.Args[1] != int64(123456) || q.Args[2] != want {
		t.Fatalf("args = %v, want [7 123456 %d]", q.Args, want)
	}
}

// User text never reaches the SQL text: it is always an argument.
func TestUserValuesAreArguments(t *testing.T) {
	evil := []string{`'; DROP TABLE customers; --`, `" OR 1=1 --`, `\' OR ''='`, "x') OR ('1'='1", `$1`, `?`}
	for _, v := range evil {
		q := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v)
		src := `city == "` + q + `" or has_tag("` + q + `") or in_group("` + q + `") or contact_of("` + q + `") or count("` + q + `", 1d, "k", "` + q + `") > 0`
		r, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		for _, d := range []Dialect{SQLite, Postgres} {
			sel := r.Select(d, 1, time.Now())
			if v != "?" && strings.Contains(sel.SQL, v) {
				t.Errorf("%s SQL contains the user value %q:\n%s", d, v, sel.SQL)
			}
			found := 0
			for _, a := range sel.Args {
				if a == v {
					found++
				}
			}
			if found != 6 {
				t.Errorf("%s: value %q is %d of the arguments %v, want 6", d, v, found, sel.Args)
			}
			if n := strings.Count(sel.SQL, "?"); n != len(sel.Args) {
				t.Errorf("%s: %d placeholders for %d arguments", d, n, len(sel.Args))
			}
		}
	}
}

func TestEvalNullScoresAreFalseBothWays(t *testing.T) {
	r, _ := Parse(`r_score >= 3`)
	n, _ := Parse(`not (r_score >= 3)`)
	f := Facts{}
	if ok, _ := r.Eval(f); ok {
		t.Error("r_score >= 3 matched a person without scores")
	}
	if ok, _ := n.Eval(f); !ok {
		t.Error("not (r_score >= 3) did not match a person without scores")
	}
}

func TestEvalCountsWindowAndProps(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f := Facts{At: now, Events: []Event{
		{Type: "moment.liked", At: now.Add(-time.Hour), Props: map[string]any{"topic": "skincare"}},
		{Type: "moment.liked", At: now.Add(-48 * time.Hour), Props: map[string]any{"topic": "skincare"}},
		{Type: "moment.liked", At: now.Add(-time.Hour), Props: map[string]any{"topic": 5.0}},
		{Type: "moment.liked", At: now.Add(-40 * 24 * time.Hour)},
	}}
	for src, want := range map[string]bool{
		`count("moment.liked") == 4`:                           true,
		`count("moment.liked", 30d) == 3`:                      true,
		`count("moment.liked", 1d) == 2`:                       true,
		`count("moment.liked", 30d, "topic", "skincare") == 2`: true,
		`count("moment.liked", 24h, "topic", "skincare") == 1`: true,
		`count("moment.liked", 30d, "topic", "5") == 0`:        true,
		`count("moment.commented", 30d) >= 1`:                  false,
		`count("moment.liked", 30d) in [1, 2]`:                 false,
		`count("moment.liked", 30d) not in [1, 2]`:             true,
	} {
		r, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Eval(f); got != want {
			t.Errorf("%s = %v, want %v", src, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`stage == "silent" and monetary >= 500元 and has_tag("护肤")`,
		`count("moment.liked", 30d, "topic", "skincare") >= 3`,
		`city in ["上海", "杭州"] or not opted_out`,
		`created_at >= "2026-01-01" && last_order_at < ago(2w)`,
		"((((", `"\`, `-`, `1.`, `x not in [1,`, "a\n\n\tb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): error without a position: %v", src, err)
			}
			lines := strings.Count(src, "\n") + 1
			if pe.Pos.Line < 1 || pe.Pos.Col < 1 || pe.Pos.Line > lines {
				t.Fatalf("Parse(%q): position %v outside the source", src, pe.Pos)
			}
			if utf8.ValidString(src) && pe.Pos.Col > utf8.RuneCountInString(src)+1 {
				t.Fatalf("Parse(%q): column %v past the end", src, pe.Pos)
			}
			return
		}
		for _, d := range []Dialect{SQLite, Postgres} {
			q := r.Select(d, 1, time.Now())
			if strings.Count(q.SQL, "?") != len(q.Args) {
				t.Fatalf("Parse(%q): %d placeholders, %d args", src, strings.Count(q.SQL, "?"), len(q.Args))
			}
		}
		if _, err := r.Eval(Facts{}); err != nil {
			t.Fatal(err)
		}
	})
}
