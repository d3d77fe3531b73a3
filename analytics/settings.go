package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
)

// Settings are a workspace's own analytics definitions; zero values mean the
// documented defaults (docs/ANALYTICS.md).
type Settings struct {
	// RFMAsOf fixes the as-of date (YYYY-MM-DD); empty: the day after the
	// last order.
	RFMAsOf string `json:"rfm_as_of,omitempty"`
	// RFMScoring is "quintiles" (default) or "fixed".
	RFMScoring string `json:"rfm_scoring,omitempty"`
	// RFMThresholds are the fixed scoring's bounds.
	RFMThresholds *rfm.Thresholds `json:"rfm_thresholds,omitempty"`
	// SilentAfterDays and ChurnedAfterDays are the lifecycle thresholds
	// (defaults 90 and 180).
	SilentAfterDays  int `json:"silent_after_days,omitempty"`
	ChurnedAfterDays int `json:"churned_after_days,omitempty"`
}

const settingsName = "analytics"

// config turns settings into a refresh configuration, naming the bad field.
func (s Settings) config() (Config, error) {
	var c Config
	if s.RFMAsOf != "" {
		d, err := rfm.ParseDay(s.RFMAsOf)
		if err != nil {
			return c, fmt.Errorf("%w: rfm_as_of: %v", siyu.ErrInvalid, err)
		}
		c.RFM.AsOf = d.Time()
	}
	if s.RFMScoring != "" {
		if err := c.RFM.Scoring.UnmarshalText([]byte(s.RFMScoring)); err != nil {
			return c, fmt.Errorf("%w: rfm_scoring: %v", siyu.ErrInvalid, err)
		}
	}
	if s.RFMThresholds != nil {
		c.RFM.Thresholds = *s.RFMThresholds
	}
	if err := c.RFM.Validate(); err != nil {
		return c, fmt.Errorf("%w: rfm: %v", siyu.ErrInvalid, err)
	}
	c.Lifecycle = lifecycle.Config{SilentAfter: s.SilentAfterDays, ChurnedAfter: s.ChurnedAfterDays}
	if err := c.Lifecycle.Validate(); err != nil {
		return c, fmt.Errorf("%w: lifecycle: %v", siyu.ErrInvalid, err)
	}
	return c, nil
}

// Settings returns a workspace's analytics settings.
func (s *Service) Settings(ctx context.Context, workspaceID int64) (Settings, error) {
	var out Settings
	b, err := s.st.Setting(ctx, workspaceID, settingsName)
	if errors.Is(err, siyu.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	return out, json.Unmarshal(b, &out)
}

// SetSettings validates and stores a workspace's analytics settings; the
// next refresh uses them.
func (s *Service) SetSettings(ctx context.Context, workspaceID int64, set Settings) error {
	if _, err := set.config(); err != nil {
		return err
	}
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return s.st.SetSetting(ctx, workspaceID, settingsName, b)
}

// configFor is the refresh configuration of one workspace.
func (s *Service) configFor(ctx context.Context, workspaceID int64) (Config, error) {
	set, err := s.Settings(ctx, workspaceID)
	if err != nil {
		return Config{}, err
	}
	cfg, err := set.config()
	if err != nil {
		return Config{}, err
	}
	cfg.Now = time.Now()
	return cfg, nil
}
