package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// SettingName is the workspace_settings document the limits live in.
const SettingName = "reach"

// WeComCapMode names how WeCom caps the mass messages one customer receives
// from the corp. WeCom has changed the rule over the years, so the
// workspace picks the one its corp is under.
type WeComCapMode string

const (
	// CapDaysInMonth: as many per calendar month as the month has days
	// (the current documentation).
	CapDaysInMonth WeComCapMode = "days_in_month"
	// CapFourPerMonth: 4 per calendar month (the older documentation).
	CapFourPerMonth WeComCapMode = "four_per_month"
	// CapSevenPerWeek: 7 per calendar week, Monday to Sunday.
	CapSevenPerWeek WeComCapMode = "seven_per_week"
	// CapOnePerDay: 1 per calendar day.
	CapOnePerDay WeComCapMode = "one_per_day"
)

// WeComCapModes lists the modes, for forms.
var WeComCapModes = []WeComCapMode{CapDaysInMonth, CapFourPerMonth, CapSevenPerWeek, CapOnePerDay}

// Settings are a workspace's reach limits. Calendar days, weeks and months
// and the clock of quiet hours are Asia/Shanghai's.
type Settings struct {
	// FrequencyCap is how many automated reaches (any campaign, journey or
	// channel) one person may get within FrequencyWindowDays; 0 = no cap.
	FrequencyCap        int `json:"frequency_cap"`
	FrequencyWindowDays int `json:"frequency_window_days"`
	// QuietStart and QuietEnd ("21:00", "09:00") bound the night in which
	// nothing is sent; equal values mean no quiet hours.
	QuietStart string `json:"quiet_start"`
	QuietEnd   string `json:"quiet_end"`
	// AccountDailyQuota is how many reaches one WeCom account may send per
	// day, protecting the account from being restricted; 0 = no quota.
	AccountDailyQuota int `json:"account_daily_quota"`
	// WeComCap is WeCom's own cap on 1:1 mass messages per customer.
	WeComCap WeComCapMode `json:"wecom_cap"`
}

// DefaultSettings are the limits of a workspace that set none.
func DefaultSettings() Settings {
	return Settings{
		FrequencyCap:        2,
		FrequencyWindowDays: 7,
		QuietStart:          "21:00",
		QuietEnd:            "09:00",
		AccountDailyQuota:   5000,
		WeComCap:            CapDaysInMonth,
	}
}

// Validate checks the settings; the error names the field.
func (s Settings) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", siyu.ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	if s.FrequencyCap < 0 || s.FrequencyCap > 1000 {
		return bad("frequency_cap", "must be from 0 (no cap) to 1000, not %d", s.FrequencyCap)
	}
	if s.FrequencyCap > 0 && (s.FrequencyWindowDays < 1 || s.FrequencyWindowDays > 365) {
		return bad("frequency_window_days", "must be from 1 to 365 days, not %d", s.FrequencyWindowDays)
	}
	if _, err := clock(s.QuietStart); err != nil {
		return bad("quiet_start", "%v", err)
	}
	if _, err := clock(s.QuietEnd); err != nil {
		return bad("quiet_end", "%v", err)
	}
	if s.AccountDailyQuota < 0 || s.AccountDailyQuota > 1000000 {
		return bad("account_daily_quota", "must be from 0 (no quota) to 1000000, not %d", s.AccountDailyQuota)
	}
	switch s.WeComCap {
	case CapDaysInMonth, CapFourPerMonth, CapSevenPerWeek, CapOnePerDay:
	default:
		return bad("wecom_cap", "unknown mode %q (use %s, %s, %s or %s)", s.WeComCap, CapDaysInMonth, CapFourPerMonth, CapSevenPerWeek, CapOnePerDay)
	}
	return nil
}

// clock parses "HH:MM" (24-hour) into the time since midnight.
func clock(v string) (time.Duration, error) {
	t, err := time.Parse("15:04", v)
	if err != nil || len(v) != 5 {
		return 0, fmt.Errorf("%q is not a time of day like 21:00", v)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// SettingsStore is where settings documents are kept; *store.Store is one.
type SettingsStore interface {
	SetSetting(ctx context.Context, workspaceID int64, name string, value []byte) error
	Setting(ctx context.Context, workspaceID int64, name string) ([]byte, error)
}

func loadSettings(ctx context.Context, st SettingsStore, ws int64) (Settings, error) {
	b, err := st.Setting(ctx, ws, SettingName)
	if errors.Is(err, siyu.ErrNotFound) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	// Fields missing from a stored document keep their defaults.
	s := DefaultSettings()
	if err := json.Unmarshal(b, &s); err != nil {
		return Settings{}, fmt.Errorf("reach settings of workspace %d: %w", ws, err)
	}
	if err := s.Validate(); err != nil {
		return Settings{}, fmt.Errorf("reach settings of workspace %d: %w", ws, err)
	}
	return s, nil
}

func saveSettings(ctx context.Context, st SettingsStore, ws int64, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return st.SetSetting(ctx, ws, SettingName, b)
}
