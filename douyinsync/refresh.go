package douyinsync

import (
	"context"
	"time"

	"siyu.dev/siyu/douyin"
	"siyu.dev/siyu/store"
)

// seenFor is how long a webhook's Msg-Id is remembered.
const seenFor = 7 * 24 * time.Hour

// RefreshResult says what a Refresh found.
type RefreshResult struct {
	Fans        int `json:"fans"`        // read from the fans list
	Followed    int `json:"followed"`    // known users newly seen following
	Conversions int `json:"conversions"` // leads newly seen added on WeCom
}

// Refresh reads the fans list (follow-back) and marks the leads who added
// a WeCom account through their code, and forgets old webhook ids. Run it
// every few minutes.
func (s *Service) Refresh(ctx context.Context, ws int64) (RefreshResult, error) {
	var res RefreshResult
	client, err := s.Client(ctx, ws)
	if err != nil {
		return res, err
	}
	var fans []store.DouyinFan
	var cursor int64
	for len(fans) < douyin.MaxFans {
		page, err := client.ListFans(ctx, cursor, douyin.MaxPageCount)
		if err != nil {
			return res, err
		}
		for _, f := range page.List {
			fans = append(fans, store.DouyinFan{OpenID: f.OpenID, UnionID: f.UnionID})
		}
		if !page.HasMore || page.Cursor == cursor {
			break
		}
		cursor = page.Cursor
	}
	res.Fans = len(fans)
	if res.Followed, err = s.st.MarkDouyinFollowers(ctx, ws, fans, s.now()); err != nil {
		return res, err
	}
	if res.Conversions, err = s.st.MarkDouyinConversions(ctx, ws); err != nil {
		return res, err
	}
	_, err = s.st.PruneDouyinSeen(ctx, ws, s.now().Add(-seenFor))
	return res, err
}
