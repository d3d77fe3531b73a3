package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
)

var (
	actionRE  = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	msgKeyRE  = regexp.MustCompile(`\bt "([^"]+)"`)
	entityRE  = regexp.MustCompile(`&[a-z]+;`)
	templates = func(t *testing.T) map[string]string {
		out := map[string]string{}
		err := fs.WalkDir(embedded, "templates", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := embedded.ReadFile(path)
			out[path] = string(b)
			return err
		})
		if err != nil || len(out) == 0 {
			t.Fatalf("templates: %v", err)
		}
		return out
	}
)

// Every word a user reads comes from the catalogue: outside of template
// actions and tags, a template holds only spaces and punctuation.
func TestTemplatesHaveNoHardCodedText(t *testing.T) {
	for path, src := range templates(t) {
		text := actionRE.ReplaceAllString(src, " ")
		text = tagRE.ReplaceAllString(text, " ")
		text = entityRE.ReplaceAllString(text, " ")
		for _, line := range strings.Split(text, "\n") {
			if strings.IndexFunc(line, unicode.IsLetter) >= 0 {
				t.Errorf("%s: text outside the catalogue: %q", path, strings.TrimSpace(line))
			}
		}
	}
}

func TestCatalogueHasEveryKey(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, src := range templates(t) {
		for _, m := range msgKeyRE.FindAllStringSubmatch(src, -1) {
			keys = append(keys, m[1])
		}
	}
	for _, f := range importFormats {
		keys = append(keys, "import.format_"+f, "import.format_"+f+"_hint")
	}
	for _, k := range siyu.IdentityKinds {
		keys = append(keys, "kind."+string(k))
	}
	for _, s := range []siyu.OrderStatus{siyu.StatusPending, siyu.StatusPaid, siyu.StatusShipped, siyu.StatusCompleted, siyu.StatusRefunded, siyu.StatusClosed} {
		keys = append(keys, "status."+string(s))
	}
	for _, c := range siyu.Channels {
		keys = append(keys, "channel."+string(c))
	}
	for _, r := range []siyu.Role{siyu.RoleAdmin, siyu.RoleOperator, siyu.RoleAnalyst} {
		keys = append(keys, "role."+string(r))
	}
	for _, e := range []string{siyu.EventOrderPaid, siyu.EventOrderRefunded, siyu.EventContactAdded, siyu.EventContactDeleted,
		siyu.EventGroupJoined, siyu.EventGroupLeft, siyu.EventMomentLiked, siyu.EventMomentComment, siyu.EventMessage, siyu.EventCustomerMerged} {
		keys = append(keys, "event."+e)
	}
	keys = append(keys, "deleted_by."+siyu.DeletedByCustomer, "deleted_by."+siyu.DeletedByAccount)
	for _, k := range codeKinds {
		keys = append(keys, "code_kind."+k)
	}
	for _, s := range contactStatuses {
		keys = append(keys, "contacts.status_"+s)
	}
	// Keys named in Go code.
	keys = append(keys, "error.internal", "error.not_found", "error.forbidden", "error.csrf", "error.session_expired",
		"error.bad_request", "error.bad_login", "error.too_many_attempts", "error.no_workspace", "merge.undone",
		"merge.cannot_undo", "tokens.revoked", "tokens.bad_name", "tokens.bad_role", "tokens.name_taken",
		"import.too_large", "import.no_file", "import.bad_format", "login.title", "customers.title",
		"customer.title", "import.title", "import.result_title", "tokens.title", "error.title",
		"codes.title", "codes.new_title", "code.title", "contacts.title", "codes.created", "codes.not_configured",
		"codes.refused", "codes.create_failed", "codes.bad_name", "codes.bad_kind", "codes.bad_state",
		"codes.bad_accounts", "codes.bad_tag", "codes.bad_welcome", "codes.bad_order", "codes.order_needs_id",
		"codes.bad_cost", "contacts.none", "code.no_contacts", "dashboard.title", "dashboard.refreshed",
		"dashboard.unavailable", "dashboard.yes", "dashboard.no")
	for _, s := range lifecycle.Stages {
		keys = append(keys, "stage."+s.String())
	}
	for _, s := range rfm.Segments {
		keys = append(keys, "segment."+s.String())
	}
	for lang, cat := range cats {
		for _, k := range keys {
			if _, ok := cat[k]; !ok {
				t.Errorf("%s: no message %q", lang, k)
			}
		}
	}
}

// The formatting verbs of a message must agree between languages, or one of
// them renders "%!d(MISSING)".
func TestCatalogueVerbsAgree(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%[a-z]`)
	for k, zh := range cats[langZH] {
		a := strings.Join(verbs.FindAllString(zh, -1), "")
		b := strings.Join(verbs.FindAllString(cats[langEN][k], -1), "")
		if a != b {
			t.Errorf("%s: verbs %q in zh-CN, %q in en", k, a, b)
		}
	}
}
