package douyinsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/keyword"
)

// SettingName is the workspace setting that holds Settings.
const SettingName = "douyin"

// URLPlaceholder in Settings.DM is replaced by the channel code's URL.
const URLPlaceholder = "{{url}}"

// Rule is an intent rule: a comment or message that contains one of
// Keywords and none of Excludes (matched on normalised text: case, width,
// spaces and punctuation do not matter) is a lead. The ID names the rule in
// metrics and the console.
type Rule struct {
	ID       string   `json:"id"`
	Keywords []string `json:"keywords"`
	Excludes []string `json:"excludes,omitempty"`
	Reply    string   `json:"reply,omitempty"` // the comment reply; default Settings.Reply
}

// Settings configure a workspace's comment mining.
type Settings struct {
	Rules []Rule `json:"rules"`
	// Reply answers an intent comment. A private message can only answer a
	// message the user sent, so the reply invites one.
	Reply string `json:"reply"`
	// DM answers the lead's private message; it must contain {{url}}.
	DM string `json:"dm"`
	// OnlineMinutes: only comments younger than this get the automatic
	// reply — the user is likely still on the video and sees it.
	OnlineMinutes int `json:"online_minutes"`
	// Accounts are the WeCom userids the per-person channel codes hand the
	// lead to; empty means the workspace's first active account.
	Accounts []string `json:"accounts,omitempty"`
	Tags     []string `json:"tags,omitempty"`    // put on the lead when they add
	Welcome  string   `json:"welcome,omitempty"` // WeCom welcome message
}

// DefaultSettings are the rules of the brief: 求资料, 求电子版, 怎么买,
// 多少钱, 链接.
func DefaultSettings() Settings {
	return Settings{
		Rules: []Rule{
			{ID: "求资料", Keywords: []string{"求资料", "要资料", "资料求", "领资料"}, Excludes: []string{"已经整理好"}},
			{ID: "求电子版", Keywords: []string{"求电子版", "要电子版", "电子版"}},
			{ID: "怎么买", Keywords: []string{"怎么买", "在哪买", "哪里买", "怎么下单"}},
			{ID: "多少钱", Keywords: []string{"多少钱", "什么价", "价格"}, Excludes: []string{"多少个赞"}},
			{ID: "链接", Keywords: []string{"链接", "求链接"}},
		},
		Reply:         "已为您准备好～私信我「资料」，马上发您 🎁",
		DM:            "您好！资料在这里，长按识别二维码添加老师企业微信领取：" + URLPlaceholder,
		OnlineMinutes: 10,
		Tags:          []string{"抖音"},
		Welcome:       "您好，我是老师～资料马上发您，有问题随时问我",
	}
}

// Validate checks the settings and compiles the rules.
func (s Settings) Validate() (*keyword.Matcher, error) {
	if len(s.Rules) == 0 {
		return nil, fmt.Errorf("%w: rules: at least one", siyu.ErrInvalid)
	}
	seen := map[string]bool{}
	rules := make([]keyword.Rule, len(s.Rules))
	for i, r := range s.Rules {
		id := strings.TrimSpace(r.ID)
		if id == "" || seen[id] || len(id) > 64 {
			return nil, fmt.Errorf("%w: rules[%d].id: required, unique, at most 64 bytes", siyu.ErrInvalid, i)
		}
		seen[id] = true
		rules[i] = keyword.Rule{ID: id, Keywords: r.Keywords, Excludes: r.Excludes}
	}
	m, err := keyword.Compile(rules)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", siyu.ErrInvalid, err)
	}
	if strings.TrimSpace(s.Reply) == "" {
		return nil, fmt.Errorf("%w: reply: required", siyu.ErrInvalid)
	}
	if !strings.Contains(s.DM, URLPlaceholder) {
		return nil, fmt.Errorf("%w: dm: must contain %s", siyu.ErrInvalid, URLPlaceholder)
	}
	if s.OnlineMinutes < 1 || s.OnlineMinutes > 24*60 {
		return nil, fmt.Errorf("%w: online_minutes: 1..1440", siyu.ErrInvalid)
	}
	return m, nil
}

// compiled is a workspace's settings with their matcher.
type compiled struct {
	Settings
	matcher *keyword.Matcher
	loaded  time.Time
}

// match returns the first rule text matches, or nil.
func (c *compiled) match(text string) *Rule {
	idx := c.matcher.Match(text)
	if len(idx) == 0 {
		return nil
	}
	return &c.Rules[idx[0]]
}

func (c *compiled) reply(r *Rule) string {
	if r.Reply != "" {
		return r.Reply
	}
	return c.Reply
}

// settingsCache keeps compiled settings for a short while: every webhook
// needs them, and another node's change shows within settingsTTL.
type settingsCache struct {
	mu sync.Mutex
	by map[int64]*compiled
}

const settingsTTL = 30 * time.Second

// Settings returns a workspace's settings (DefaultSettings when unset).
func (s *Service) Settings(ctx context.Context, ws int64) (Settings, error) {
	c, err := s.compiled(ctx, ws)
	if err != nil {
		return Settings{}, err
	}
	return c.Settings, nil
}

func (s *Service) compiled(ctx context.Context, ws int64) (*compiled, error) {
	s.cache.mu.Lock()
	c := s.cache.by[ws]
	s.cache.mu.Unlock()
	if c != nil && s.now().Sub(c.loaded) < settingsTTL {
		return c, nil
	}
	set := DefaultSettings()
	b, err := s.st.Setting(ctx, ws, SettingName)
	switch {
	case errors.Is(err, siyu.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(b, &set); err != nil {
			return nil, fmt.Errorf("douyin settings of workspace %d: %w", ws, err)
		}
	}
	m, err := set.Validate()
	if err != nil {
		return nil, err
	}
	c = &compiled{Settings: set, matcher: m, loaded: s.now()}
	s.cache.mu.Lock()
	s.cache.by[ws] = c
	s.cache.mu.Unlock()
	return c, nil
}

// SaveSettings validates and stores a workspace's settings.
func (s *Service) SaveSettings(ctx context.Context, ws int64, set Settings) error {
	if _, err := set.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	if err := s.st.SetSetting(ctx, ws, SettingName, b); err != nil {
		return err
	}
	s.cache.mu.Lock()
	delete(s.cache.by, ws)
	s.cache.mu.Unlock()
	return nil
}
