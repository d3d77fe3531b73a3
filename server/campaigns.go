package server

import (
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
)

// campaignService runs campaigns for the console and the API. Launching
// only queues the deliveries; the dispatch worker (runDispatch) sends them.
func (s *Server) campaignService() *campaign.Service {
	return campaign.New(s.cfg.Store, dispatch.New(s.cfg.Store, s.wecom, s.dispatchOptions()))
}
