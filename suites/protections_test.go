package suites

import (
	"strings"
	"testing"
)

func TestRaceRequestIDs(t *testing.T) {
	const (
		raced = "req-11111111-1111-1111-1111-111111111111"
		other = "req-22222222-2222-2222-2222-222222222222"
		mw    = "req-33333333-3333-3333-3333-333333333333"
	)
	race := `File "/usr/lib/python3/dist-packages/glance/common/property_utils.py", line 105, in _load_rules`
	// Two processes interleave; each record's traceback follows its first line within its own
	// process. Process 81's 500 is the race; process 82's is another error. Process 83 logs the
	// race's traceback in a record without a request (it is nobody's), after a record of mw.
	log := strings.Join([]string{
		"2026-12-01 10:00:00.001 81 ERROR glance.common.wsgi [None " + raced + " admin project - - default default] Caught error: 'list' object has no attribute 'find'",
		"2026-12-01 10:00:00.002 82 ERROR glance.common.wsgi [None " + other + " admin project - - default default] Caught error: database is locked",
		"2026-12-01 10:00:00.001 81 ERROR glance.common.wsgi Traceback (most recent call last):",
		"2026-12-01 10:00:00.002 82 ERROR glance.common.wsgi Traceback (most recent call last):",
		"2026-12-01 10:00:00.001 81 ERROR glance.common.wsgi   " + race,
		`2026-12-01 10:00:00.002 82 ERROR glance.common.wsgi   File "/usr/lib/python3/dist-packages/sqlalchemy/engine/base.py", line 1900, in _execute_context`,
		"2026-12-01 10:00:00.003 83 INFO eventlet.wsgi.server [None " + mw + " admin project - - default default] GET /v2/images/x HTTP/1.1 status: 200",
		"[Tue Dec 01 10:00:00 2026] [wsgi:error] [pid 84:tid 9] 2026-12-01 10:00:00.004 83 ERROR glance.api [-] Unhandled error",
		"[Tue Dec 01 10:00:00 2026] [wsgi:error] [pid 84:tid 9] 2026-12-01 10:00:00.004 83 ERROR glance.api   " + race,
	}, "\n")
	got := raceRequestIDs(log)
	if !got[raced] || len(got) != 1 {
		t.Errorf("raceRequestIDs = %v, want only %s", got, raced)
	}
	if got := raceRequestIDs(race); len(got) != 0 {
		t.Errorf("a traceback line without an oslo.log head was attributed: %v", got)
	}
}
