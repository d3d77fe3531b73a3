// Package fission holds the rules of invite-N activities (裂变): "invite 2
// parents to add us and get the exam papers". A participant gets a personal
// channel code whose state is their invite code; everyone who adds the
// brand's account through it is an invite. This package decides, from the
// recorded invites alone, which invites count, which are abuse, who earned
// the reward and whose reward is clawed back, and computes the activity's
// metrics and referral tree. It reads and writes nothing: the store feeds it
// a Snapshot and applies its Outcome.
package fission
