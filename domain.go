package siyu

import "time"

// Workspace is one brand or merchant. Every row of business data belongs to
// exactly one workspace, and no request can see another's.
type Workspace struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Customer is one resolved person. A customer merged into another keeps its
// row (MergedInto set) so that the merge can be undone.
type Customer struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"`
	Province    string    `json:"province,omitempty"`
	City        string    `json:"city,omitempty"`
	MergedInto  int64     `json:"merged_into,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	// Order summary, kept up to date by the store (paid orders, net of refunds).
	OrderCount   int        `json:"order_count"`
	TotalPaid    Fen        `json:"total_paid_fen"`
	FirstOrderAt *time.Time `json:"first_order_at,omitempty"`
	LastOrderAt  *time.Time `json:"last_order_at,omitempty"`
}

// Identity is an identifier attached to a customer. For PII kinds Value is a
// keyed hash (the lookup key) and Display is the masked form.
type Identity struct {
	ID         int64        `json:"id"`
	CustomerID int64        `json:"customer_id"`
	Kind       IdentityKind `json:"kind"`
	Display    string       `json:"display"`
	Source     string       `json:"source"`
	CreatedAt  time.Time    `json:"created_at"`
}

// Channel is where an order was placed.
type Channel string

// Known sales channels.
const (
	ChannelTaobao  Channel = "taobao"
	ChannelTmall   Channel = "tmall"
	ChannelJD      Channel = "jd"
	ChannelYouzan  Channel = "youzan"
	ChannelDouyin  Channel = "douyin"
	ChannelWeChat  Channel = "wechat_shop"
	ChannelOffline Channel = "offline"
	ChannelOther   Channel = "other"
)

// Channels lists the known channels.
var Channels = []Channel{ChannelTaobao, ChannelTmall, ChannelJD, ChannelYouzan, ChannelDouyin, ChannelWeChat, ChannelOffline, ChannelOther}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, x := range Channels {
		if x == c {
			return true
		}
	}
	return false
}

// OrderStatus is the normalised state of an order.
type OrderStatus string

// Order states. Only paid, shipped and completed orders (and the paid part of
// partly refunded ones) count as revenue.
const (
	StatusPending   OrderStatus = "pending"   // placed, not paid
	StatusPaid      OrderStatus = "paid"      // paid, not shipped
	StatusShipped   OrderStatus = "shipped"   // shipped, not confirmed
	StatusCompleted OrderStatus = "completed" // 交易成功
	StatusRefunded  OrderStatus = "refunded"  // fully refunded
	StatusClosed    OrderStatus = "closed"    // 交易关闭 without payment
)

// Valid reports whether s is a known status.
func (s OrderStatus) Valid() bool {
	switch s {
	case StatusPending, StatusPaid, StatusShipped, StatusCompleted, StatusRefunded, StatusClosed:
		return true
	}
	return false
}

// Paid reports whether an order in this state was paid and not fully refunded.
func (s OrderStatus) Paid() bool {
	return s == StatusPaid || s == StatusShipped || s == StatusCompleted
}

// Order is one order from a sales channel. (Channel, ExternalID) is unique per
// workspace, which is what makes imports idempotent.
type Order struct {
	ID          int64       `json:"id"`
	WorkspaceID int64       `json:"workspace_id"`
	CustomerID  int64       `json:"customer_id"`
	Channel     Channel     `json:"channel"`
	ExternalID  string      `json:"external_id"`
	Status      OrderStatus `json:"status"`
	PlacedAt    time.Time   `json:"placed_at"`
	PaidAt      *time.Time  `json:"paid_at,omitempty"`
	Amount      Fen         `json:"amount_fen"` // what the buyer paid
	Refund      Fen         `json:"refund_fen"` // refunded so far
	Receiver    string      `json:"receiver,omitempty"`
	Province    string      `json:"province,omitempty"`
	City        string      `json:"city,omitempty"`
	Items       []OrderItem `json:"items,omitempty"`
	ImportedAt  time.Time   `json:"imported_at"`
}

// Net is what the order earned: amount minus refunds, zero if not paid.
func (o Order) Net() Fen {
	if o.PaidAt == nil || o.Status == StatusRefunded || o.Status == StatusPending || o.Status == StatusClosed {
		return 0
	}
	return o.Amount - o.Refund
}

// OrderItem is one line of an order.
type OrderItem struct {
	SKU      string `json:"sku,omitempty"`
	Title    string `json:"title"`
	Quantity int    `json:"quantity"`
	Price    Fen    `json:"price_fen"` // unit price
}

// OrderInput is an order as it arrives from a file or the API, before
// identity resolution. Line is the source line (0 for API input) so that a
// rejection can name it.
type OrderInput struct {
	Channel     Channel      `json:"channel"`
	ExternalID  string       `json:"external_id"`
	Status      OrderStatus  `json:"status"`
	PlacedAt    time.Time    `json:"placed_at"`
	PaidAt      *time.Time   `json:"paid_at,omitempty"`
	Amount      Fen          `json:"amount_fen"`
	Refund      Fen          `json:"refund_fen"`
	BuyerName   string       `json:"buyer_name,omitempty"` // weak: never merges
	Receiver    string       `json:"receiver,omitempty"`   // weak
	Province    string       `json:"province,omitempty"`
	City        string       `json:"city,omitempty"`
	Address     string       `json:"address,omitempty"` // weak
	MaskedPhone string       `json:"masked_phone,omitempty"`
	Identifiers []Identifier `json:"identifiers"`
	Items       []OrderItem  `json:"items,omitempty"`
	Line        int          `json:"-"`
}

// Event is a typed interaction of a customer: a page view, a moment like, a
// comment, a scan, a message. Props carries the type's details.
type Event struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"workspace_id"`
	CustomerID  int64          `json:"customer_id"`
	Type        string         `json:"type"`
	Source      string         `json:"source"`
	OccurredAt  time.Time      `json:"occurred_at"`
	Props       map[string]any `json:"props,omitempty"`
}

// Event types recorded by the system itself.
const (
	EventOrderPaid      = "order.paid"
	EventOrderRefunded  = "order.refunded"
	EventContactAdded   = "contact.added"
	EventContactDeleted = "contact.deleted"
	EventGroupJoined    = "group.joined"
	EventGroupLeft      = "group.left"
	EventMomentLiked    = "moment.liked"
	EventMomentComment  = "moment.commented"
	EventMessage        = "message.received"
	EventCustomerMerged = "customer.merged"
)

// EventInput is an event before identity resolution: it names its person by
// identifiers (or by CustomerID when already known).
type EventInput struct {
	Type        string         `json:"type"`
	Source      string         `json:"source"`
	OccurredAt  time.Time      `json:"occurred_at"`
	CustomerID  int64          `json:"customer_id,omitempty"`
	Identifiers []Identifier   `json:"identifiers,omitempty"`
	Name        string         `json:"name,omitempty"`
	Props       map[string]any `json:"props,omitempty"`
}

// Account is one of the brand's WeCom members that customers add: a sales
// associate, a shop's account, or a persona (人设) such as the founder's
// account that several operators run together.
type Account struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	WeComUserID string    `json:"wecom_userid"`
	Name        string    `json:"name"`
	Persona     string    `json:"persona,omitempty"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
}

// Who ended a contact relationship.
const (
	DeletedByCustomer = "customer" // the customer deleted the account (del_follow_user)
	DeletedByAccount  = "account"  // the account deleted the customer (del_external_contact)
)

// Contact is the relationship between a customer and one account: the
// customer added that account on WeChat. State is the channel code's state,
// which says where the customer came from.
type Contact struct {
	ID             int64      `json:"id"`
	WorkspaceID    int64      `json:"workspace_id"`
	CustomerID     int64      `json:"customer_id"`
	AccountID      int64      `json:"account_id"`
	AccountName    string     `json:"account_name,omitempty"`
	ExternalUserID string     `json:"external_userid"`
	State          string     `json:"state,omitempty"`
	Remark         string     `json:"remark,omitempty"`
	AddedAt        time.Time  `json:"added_at"`
	DeletedAt      *time.Time `json:"deleted_at,omitempty"`
	DeletedBy      string     `json:"deleted_by,omitempty"`
}

// Group is a WeCom customer group chat.
type Group struct {
	ID             int64      `json:"id"`
	WorkspaceID    int64      `json:"workspace_id"`
	ChatID         string     `json:"chat_id"`
	Name           string     `json:"name"`
	OwnerAccountID int64      `json:"owner_account_id"`
	CreatedAt      time.Time  `json:"created_at"`
	DismissedAt    *time.Time `json:"dismissed_at,omitempty"`
}

// GroupMember is a customer's membership of a group.
type GroupMember struct {
	GroupID    int64      `json:"group_id"`
	GroupName  string     `json:"group_name,omitempty"`
	CustomerID int64      `json:"customer_id"`
	JoinedAt   time.Time  `json:"joined_at"`
	LeftAt     *time.Time `json:"left_at,omitempty"`
}

// Tag labels customers. WeComTagID is set when the tag mirrors a corp tag.
type Tag struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Name        string `json:"name"`
	GroupName   string `json:"group_name,omitempty"`
	WeComTagID  string `json:"wecom_tag_id,omitempty"`
}

// Merge records that one customer was merged into another, and why.
type Merge struct {
	ID          int64        `json:"id"`
	WorkspaceID int64        `json:"workspace_id"`
	SurvivorID  int64        `json:"survivor_id"`
	MergedID    int64        `json:"merged_id"`
	Kind        IdentityKind `json:"kind"`    // the identifier kind that linked them
	Display     string       `json:"display"` // the identifier, masked if PII
	Source      string       `json:"source"`  // what brought the link: "import:taobao line 12", "api", ...
	At          time.Time    `json:"at"`
	UndoneAt    *time.Time   `json:"undone_at,omitempty"`
}

// Role is a console user's or API token's role within a workspace.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin    Role = "admin"    // everything, including users and tokens
	RoleOperator Role = "operator" // runs the daily work: imports, contacts, campaigns
	RoleAnalyst  Role = "analyst"  // reads customers and dashboards, changes nothing
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleOperator || r == RoleAnalyst }

// CanWrite reports whether the role may change business data.
func (r Role) CanWrite() bool { return r == RoleAdmin || r == RoleOperator }

// User is a console user. A user can belong to several workspaces.
type User struct {
	ID           int64     `json:"id"`
	Login        string    `json:"login"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Membership gives a user a role in a workspace.
type Membership struct {
	Workspace Workspace `json:"workspace"`
	Role      Role      `json:"role"`
}

// APIToken authorises REST calls to one workspace. Only a hash of the secret
// is stored; Prefix lets people tell tokens apart.
type APIToken struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	Role        Role       `json:"role"`
	CreatedAt   time.Time  `json:"created_at"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
}

// Session is a logged-in console session. Only the hash of the cookie value
// is stored. CSRF is the per-session token that state-changing forms carry.
type Session struct {
	IDHash      string    `json:"-"`
	UserID      int64     `json:"user_id"`
	WorkspaceID int64     `json:"workspace_id"`
	CSRF        string    `json:"-"`
	Lang        string    `json:"lang"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// ChannelCode is a "contact me" QR code (渠道活码) made for a channel, a
// campaign, a parcel insert or one order. When someone adds an account
// through it, WeCom hands back State, which tells where they came from;
// CustomerID, when set, is the customer the code was made for (a per-order
// QR in the parcel), so the new contact joins that customer.
type ChannelCode struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"` // channel, campaign, parcel, order
	// Medium is how the code reaches people: MediumQR (a 「联系我」 QR code,
	// the default) or MediumLink (a 获客助手 link that opens a chat from an
	// SMS, a web page or another app).
	Medium     string    `json:"medium"`
	State      string    `json:"state"`
	Accounts   []string  `json:"accounts"` // WeCom userids, taken in turn
	Tags       []string  `json:"tags,omitempty"`
	Welcome    string    `json:"welcome,omitempty"`
	CustomerID int64     `json:"customer_id,omitempty"`
	OrderID    int64     `json:"order_id,omitempty"`
	ConfigID   string    `json:"config_id,omitempty"`
	QRCode     string    `json:"qr_code,omitempty"`
	Cost       Fen       `json:"cost_fen"`
	CreatedAt  time.Time `json:"created_at"`

	Stats ChannelCodeStats `json:"stats"`
}

// Channel code kinds.
const (
	CodeChannel  = "channel"
	CodeCampaign = "campaign"
	CodeParcel   = "parcel"
	CodeOrder    = "order"
)

// Channel code media. For a link, ConfigID holds the link_id and QRCode
// the link's URL with the state as customer_channel.
const (
	MediumQR   = "qr"
	MediumLink = "link"
)

// ChannelCodeStats counts what a code brought.
type ChannelCodeStats struct {
	Adds         int `json:"adds"`         // contacts added through it
	Deletions    int `json:"deletions"`    // of those, relationships ended since
	Customers    int `json:"customers"`    // distinct customers added
	LaterOrders  int `json:"later_orders"` // paid orders those customers placed after adding
	LaterRevenue Fen `json:"later_revenue_fen"`
}

// WeComApp is a workspace's WeCom self-built app.
type WeComApp struct {
	CorpID         string `json:"corp_id"`
	AgentID        string `json:"agent_id,omitempty"`
	BaseURL        string `json:"base_url,omitempty"` // empty: the real service
	Secret         string `json:"-"`
	Token          string `json:"-"`
	EncodingAESKey string `json:"-"`
}
