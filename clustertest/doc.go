// Package clustertest holds the tests that run Siyu as it runs in
// production: several `siyu serve` processes against one PostgreSQL behind a
// round-robin load balancer, with the WeCom emulator on loopback, and the
// faults around them (a node killed with SIGKILL, PostgreSQL restarting,
// WeCom refusing, failing or slow, callbacks duplicated or out of order).
// The tests that need PostgreSQL skip unless SIYU_TEST_DATABASE_URL is set.
package clustertest
