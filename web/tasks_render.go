package web

import "html/template"

// The pages of tasks and the audit log, with their own few functions.
func init() {
	addPages(func(cat catalogue) template.FuncMap {
		return template.FuncMap{
			"share":      sharePercent,
			"took":       taskDuration,
			"taskKind":   func(k string) string { return cat.optional("tasks.kind_"+k, k) },
			"taskScope":  func(s string) string { return cat.optional("tasks.scope_"+s, s) },
			"taskStatus": func(s string) string { return cat.optional("tasks.status_"+s, s) },
		}
	}, "tasks", "audit")
}
