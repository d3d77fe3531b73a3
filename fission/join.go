package fission

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"siyu.dev/siyu"
)

// Store is what joining needs of the store. *store.Store has it.
type Store interface {
	FissionActivity(ctx context.Context, workspaceID, id int64) (Activity, error)
	FissionParticipantOf(ctx context.Context, workspaceID, activityID, customerID int64) (Participant, error)
	CreateFissionParticipant(ctx context.Context, workspaceID int64, p Participant) (Participant, error)
	SetFissionParticipantCode(ctx context.Context, workspaceID, participantID, channelCodeID int64, qrCode string) (Participant, error)
	DeleteFissionParticipant(ctx context.Context, workspaceID, participantID int64) error
}

// CodeMaker makes a channel code in WeCom and the store.
// *wecomsync.Service is one.
type CodeMaker interface {
	CreateChannelCode(ctx context.Context, workspaceID int64, c siyu.ChannelCode) (siyu.ChannelCode, error)
}

// ErrEnded is returned for joining an activity that is over.
var ErrEnded = fmt.Errorf("%w: the activity has ended", siyu.ErrInvalid)

// Join makes customerID a participant of an activity: an invite code and
// the personal channel code behind it, through the activity's accounts.
// Joining again returns the existing participant. The code is a plain
// campaign channel code (not made for the customer, so that scanners stay
// themselves); its state is the invite code.
func Join(ctx context.Context, st Store, codes CodeMaker, workspaceID, activityID, customerID int64, now time.Time) (Participant, error) {
	a, err := st.FissionActivity(ctx, workspaceID, activityID)
	if err != nil {
		return Participant{}, err
	}
	p, err := st.FissionParticipantOf(ctx, workspaceID, activityID, customerID)
	switch {
	case err == nil && p.ChannelCodeID != 0:
		return p, nil
	case err != nil && !errors.Is(err, siyu.ErrNotFound):
		return p, err
	}
	if now.After(a.EndAt) {
		return Participant{}, ErrEnded
	}
	if codes == nil {
		return Participant{}, fmt.Errorf("joining needs WeCom: %w", siyu.ErrNotFound)
	}
	if err != nil { // not found: new; otherwise an earlier join that did not finish
		p, err = st.CreateFissionParticipant(ctx, workspaceID, Participant{ActivityID: activityID, CustomerID: customerID, Code: NewInviteCode(activityID)})
		if err != nil {
			return p, err
		}
	}
	code, err := codes.CreateChannelCode(ctx, workspaceID, siyu.ChannelCode{
		Name:     clip("裂变·"+a.Name, 40) + " #" + strconv.FormatInt(p.ID, 10),
		Kind:     siyu.CodeCampaign,
		State:    p.Code,
		Accounts: a.Accounts,
		Welcome:  a.Welcome,
	})
	if err != nil {
		if derr := st.DeleteFissionParticipant(context.WithoutCancel(ctx), workspaceID, p.ID); derr != nil {
			err = errors.Join(err, derr)
		}
		return Participant{}, err
	}
	return st.SetFissionParticipantCode(ctx, workspaceID, p.ID, code.ID, code.QRCode)
}
