package segment

// Type is the type of a field or function result.
type Type int

// Types of values. Money is integer fen; Time is an instant (stored as unix
// milliseconds).
const (
	Bool Type = iota
	Int
	Float
	Money
	Text
	Time
)

func (t Type) String() string {
	return [...]string{"true/false", "whole number", "number", "money", "text", "time"}[t]
}

// Field is a column a rule can compare.
type Field struct {
	Name     string
	Type     Type
	Table    string // "c" customers, "s" customer_scores
	Column   string
	Nullable bool     // can be missing: a comparison with a missing value is false
	Values   []string // the only values a text field takes, when fixed
	Doc      string
}

// Stages are the lifecycle stages of the analytics refresh.
var Stages = []string{"new", "first_order", "repeat", "silent", "churned"}

// Fields lists every field of the language.
var Fields = []Field{
	{Name: "name", Type: Text, Table: "c", Column: "name", Doc: "the customer's name"},
	{Name: "province", Type: Text, Table: "c", Column: "province", Doc: "province, e.g. 浙江"},
	{Name: "city", Type: Text, Table: "c", Column: "city", Doc: "city, e.g. 杭州"},
	{Name: "created_at", Type: Time, Table: "c", Column: "created_at", Doc: "when the customer was first seen"},
	{Name: "order_count", Type: Int, Table: "c", Column: "order_count", Doc: "paid orders, net of full refunds"},
	{Name: "total_paid", Type: Money, Table: "c", Column: "total_paid", Doc: "paid in total, net of refunds"},
	{Name: "first_order_at", Type: Time, Table: "c", Column: "first_order_at", Nullable: true, Doc: "first paid order"},
	{Name: "last_order_at", Type: Time, Table: "c", Column: "last_order_at", Nullable: true, Doc: "last paid order"},

	// From customer_scores, written by the analytics refresh; missing for a
	// customer the refresh has not seen yet.
	{Name: "stage", Type: Text, Table: "s", Column: "stage", Nullable: true, Values: Stages, Doc: "lifecycle stage"},
	{Name: "recency_days", Type: Int, Table: "s", Column: "recency_days", Nullable: true, Doc: "days since the last order"},
	{Name: "frequency", Type: Int, Table: "s", Column: "frequency", Nullable: true, Doc: "paid orders in the RFM window"},
	{Name: "monetary", Type: Money, Table: "s", Column: "monetary", Nullable: true, Doc: "paid in the RFM window"},
	{Name: "r_score", Type: Int, Table: "s", Column: "r_score", Nullable: true, Doc: "recency score 1–5"},
	{Name: "f_score", Type: Int, Table: "s", Column: "f_score", Nullable: true, Doc: "frequency score 1–5"},
	{Name: "m_score", Type: Int, Table: "s", Column: "m_score", Nullable: true, Doc: "monetary score 1–5"},
	{Name: "rfm_segment", Type: Text, Table: "s", Column: "rfm_segment", Nullable: true, Doc: "RFM segment name"},
	{Name: "p_alive", Type: Float, Table: "s", Column: "p_alive", Nullable: true, Doc: "probability the customer is still active (BG/NBD)"},
	{Name: "expected_purchases", Type: Float, Table: "s", Column: "expected_purchases", Nullable: true, Doc: "expected purchases in the CLV horizon"},
	{Name: "clv", Type: Money, Table: "s", Column: "clv", Nullable: true, Doc: "predicted customer lifetime value"},

	{Name: "is_contact", Type: Bool, Doc: "has a live WeCom contact with any account"},
	{Name: "opted_out", Type: Bool, Doc: "said 退订 or was marked opted out"},
}

// Function is a function of the language.
type Function struct {
	Name      string
	Signature string
	Result    Type
	Doc       string
}

// Functions lists every function of the language.
var Functions = []Function{
	{Name: "has_tag", Signature: `has_tag("护肤")`, Result: Bool, Doc: "carries the tag"},
	{Name: "in_group", Signature: `in_group("VIP 群")`, Result: Bool, Doc: "is a member of a live customer group of that name"},
	{Name: "contact_of", Signature: `contact_of("zhangsan")`, Result: Bool, Doc: "has a live contact with the account of that WeCom userid"},
	{Name: "count", Signature: `count("moment.liked" [, 30d [, "topic", "skincare"]])`, Result: Int,
		Doc: "events of that type, within the window if given, whose props key equals the text if given"},
	{Name: "ago", Signature: `ago(30d)`, Result: Time, Doc: "the time that long before now, to compare with a time field"},
}

func fieldByName(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

func functionByName(name string) (Function, bool) {
	for _, f := range Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}
