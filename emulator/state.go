package emulator

import (
	"time"

	"siyu.dev/siyu/wecom"
)

// The emulator's state. Everything is guarded by Emulator.mu. Slices keep
// creation order so that listings and pages are stable.

// memberState is a member and the customers they follow.
type memberState struct {
	Member
	resigned   bool
	resignedAt time.Time
	follows    []*follow // in the order they were added
}

// follow is the relation between a member and a customer (one follow_user
// entry of externalcontact/get).
type follow struct {
	userID, extID  string
	remark         string
	description    string
	remarkCorpName string
	remarkMobiles  []string
	createTime     time.Time
	tags           []string // corp tag ids, in the order they were put on
	addWay         int
	operUserID     string
	state          string
	welcomed       time.Time // when a welcome message was sent through send_welcome_msg
}

type tagGroup struct {
	id, name string
	created  time.Time
	order    uint32
	tags     []*corpTag
}

type corpTag struct {
	id, name string
	created  time.Time
	order    uint32
	group    *tagGroup
}

type contactWay struct {
	wecom.ContactWay
	created    time.Time
	expiresAt  time.Time // temporary ways only
	used       bool      // a temporary way stops working after one add
	deleted    bool
	popularity float64 // how often the population scans it, relative to other ways
	turn       int     // the member next in line on a several-member way
}

type welcome struct {
	code          string
	userID, extID string
	issued        time.Time // when the event carrying it was pushed
	sent          bool
}

type groupChat struct {
	chatID, name, owner string
	created             time.Time
	notice              string
	members             []*groupMember
	admins              []string
	dismissed           bool
	status              int // wecom.GroupStatus*
	version             int
}

type groupMember struct {
	userID    string // member userid or external_userid
	typ       int    // wecom.GroupMemberInternal or wecom.GroupMemberExternal
	unionID   string
	joinTime  time.Time
	joinScene int // as groupchat/get reports it: 1 invited, 2 link, 3 QR code
	invitor   string
	nickname  string
	name      string
	state     string // the join way's state, for members who came through one
}

type joinWay struct {
	wecom.JoinWay
	created time.Time
	deleted bool
	rooms   int // groups it created
}

type massMessage struct {
	msgID       string
	chatType    string
	created     time.Time
	creator     string
	createType  int
	text        *wecom.TextContent
	attachments []wecom.Attachment
	tasks       []*massTask
	canceled    bool
	reminds     []time.Time
}

type massTask struct {
	userID   string
	status   int // 0 not sent, 2 sent
	sendTime time.Time
	targets  []*massTarget
}

type massTarget struct {
	extID, chatID string
	status        int // wecom.SendStatus*
	sendTime      time.Time
}

type momentJob struct {
	jobID   string
	created time.Time
	doneAt  time.Time
	result  wecom.MomentTaskResult
	done    bool
}

type moment struct {
	id          string
	created     time.Time
	creator     string
	createType  int
	visibleType int
	text        *wecom.TextContent
	attachments []wecom.Attachment
	tasks       []*momentTask
	canceled    bool
}

type momentTask struct {
	userID      string
	published   bool
	publishTime time.Time
	customers   []string // the visible range chosen for this member
	delivered   []string // those still customers when the member published
	comments    []interaction
	likes       []interaction
}

type interaction struct {
	extID string
	at    time.Time
}

type transferRec struct {
	handover, takeover, extID string
	resigned                  bool
	status                    int
	started                   time.Time
	takeoverTime              time.Time
}

type token struct {
	value   string
	expires time.Time
}

// state is the corp as WeCom holds it.
type state struct {
	members   []*memberState
	memberBy  map[string]*memberState
	followers map[string][]*follow // by external_userid

	tagGroups []*tagGroup
	tags      map[string]*corpTag
	groupBy   map[string]*tagGroup

	contactWays    []*contactWay
	wayBy          map[string]*contactWay
	links          []*acqLink // 获客助手
	linkBy         map[string]*acqLink
	linkQuota      int // uses left
	linkQuotaTotal int
	permanentWays  int // not temporary, not deleted: what the quota counts
	welcomes       map[string]*welcome

	groups     []*groupChat
	groupByID  map[string]*groupChat
	joinWays   []*joinWay
	joinWayBy  map[string]*joinWay
	massMsgs   []*massMessage
	massBy     map[string]*massMessage
	received   map[string][]time.Time // mass-message deliveries by recipient (external_userid or chat_id)
	momentJobs map[string]*momentJob
	moments    []*moment
	momentBy   map[string]*moment
	transfers  []*transferRec

	tokens  map[string]*token
	current *token
}

func newState() state {
	return state{
		memberBy:       map[string]*memberState{},
		followers:      map[string][]*follow{},
		tags:           map[string]*corpTag{},
		groupBy:        map[string]*tagGroup{},
		wayBy:          map[string]*contactWay{},
		linkBy:         map[string]*acqLink{},
		linkQuota:      defaultAcquisitionQuota,
		linkQuotaTotal: defaultAcquisitionQuota,
		welcomes:       map[string]*welcome{},
		groupByID:      map[string]*groupChat{},
		joinWayBy:      map[string]*joinWay{},
		massBy:         map[string]*massMessage{},
		received:       map[string][]time.Time{},
		momentJobs:     map[string]*momentJob{},
		momentBy:       map[string]*moment{},
		tokens:         map[string]*token{},
	}
}
