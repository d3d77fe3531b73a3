package siyu

import "time"

// Shanghai is the default display zone (Asia/Shanghai, UTC+8 with no DST).
// A fixed zone is used when the tzdata is missing so that a bare container
// still shows Chinese local time.
var Shanghai = loadShanghai()

func loadShanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}
