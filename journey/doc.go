// Package journey is the definition of customer journeys and their step
// machine: a trigger (an event, entering a saved segment, or a schedule over
// a segment) enrols a person, who then walks a small graph of steps — wait,
// condition, send, tag, task, channel code, group invitation, webhook —
// until the last step, an exit step, or an exit condition (a conversion such
// as order.paid, or a segment rule) ends the walk.
//
// The package is pure: it parses and validates definitions (every error
// names the step and the field), says which step follows which and when,
// renders personalised messages and holds the built-in templates. Running
// journeys against the database, the dispatcher and WeCom is package
// journey/runner; docs/JOURNEYS.md describes both.
package journey
