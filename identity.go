package siyu

// IdentityKind names a kind of identifier a person can be known by.
type IdentityKind string

// The identifier kinds. Each value is unique per workspace: one identifier
// belongs to exactly one customer.
const (
	KindPhone         IdentityKind = "phone"                 // mainland mobile, normalised to 11 digits
	KindEmail         IdentityKind = "email"                 // lower-cased
	KindExternalUser  IdentityKind = "wecom_external_userid" // WeCom external_userid
	KindUnionID       IdentityKind = "wechat_unionid"        // WeChat unionid (same across the brand's apps)
	KindOpenID        IdentityKind = "wechat_openid"         // "appid:openid"; an openid is only unique within one app
	KindDouyinOpenID  IdentityKind = "douyin_open_id"
	KindTaobaoNick    IdentityKind = "taobao_nick" // 买家会员名
	KindJDBuyerID     IdentityKind = "jd_buyer_id"
	KindYouzanBuyerID IdentityKind = "youzan_buyer_id"
	KindMemberNo      IdentityKind = "member_no" // the brand's own membership number
)

// IdentityKinds lists every kind, in the order used when a tie has to be broken
// (the first kind a record carries decides where it goes if its identifiers
// point at customers that may not be merged).
var IdentityKinds = []IdentityKind{
	KindUnionID, KindExternalUser, KindPhone, KindMemberNo, KindEmail,
	KindOpenID, KindTaobaoNick, KindJDBuyerID, KindYouzanBuyerID, KindDouyinOpenID,
}

// Valid reports whether k is a known kind.
func (k IdentityKind) Valid() bool {
	for _, x := range IdentityKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Strong reports whether two customers that share an identifier of this kind
// are the same person and must be merged. Every identity kind is strong:
// weak signals (a receiver's name, an address) are kept as attributes of the
// customer and its orders, never as identities, so they cannot merge anyone.
func (k IdentityKind) Strong() bool { return k.Valid() }

// Identifier is one (kind, normalised value) pair.
type Identifier struct {
	Kind  IdentityKind `json:"kind"`
	Value string       `json:"value"`
}

// IsPII reports whether values of this kind are personal data that must be
// protected at rest and masked on screen.
func (k IdentityKind) IsPII() bool { return k == KindPhone || k == KindEmail }
