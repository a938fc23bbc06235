package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// A resource whose operations wait for AWS takes a `timeouts` block
// (terraform-plugin-framework-timeouts): each operation is bounded by the
// user's setting, and every wait inside it runs until that deadline
// (awsapi.WithOperationTimeout), so raising the setting is the one remedy a
// timeout message has to name.

// operation is one of create, update and delete.
type operation string

const (
	opCreate operation = "create"
	opUpdate operation = "update"
	opDelete operation = "delete"
)

// boundOperation bounds ctx by the timeouts block's setting for op (def
// when unset). Call the returned cancel when the operation ends.
func boundOperation(ctx context.Context, v timeouts.Value, op operation, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	var limit time.Duration
	var d diag.Diagnostics
	switch op {
	case opCreate:
		limit, d = v.Create(ctx, def)
	case opUpdate:
		limit, d = v.Update(ctx, def)
	default:
		limit, d = v.Delete(ctx, def)
	}
	diags.Append(d...)
	return awsapi.WithOperationTimeout(ctx, limit, "timeouts."+string(op))
}

// operationError is err's message, naming the timeouts setting to raise
// when the operation's time ran out.
func operationError(ctx context.Context, err error) string {
	var te *awsapi.TimeoutError
	if errors.As(err, &te) && te.Setting != "" {
		return err.Error()
	}
	if te, ok := awsapi.OperationTimedOut(ctx, err); ok {
		return te.Error()
	}
	return err.Error()
}

// timeoutsNull is an unset timeouts block with the given operations (the
// block's attributes), for state built from scratch (import).
func timeoutsNull(ops ...operation) timeouts.Value {
	attrTypes := make(map[string]attr.Type, len(ops))
	for _, op := range ops {
		attrTypes[string(op)] = types.StringType
	}
	return timeouts.Value{Object: types.ObjectNull(attrTypes)}
}

// timeoutDescription documents one operation's setting and default.
func timeoutDescription(op operation, what string, d time.Duration) string {
	return fmt.Sprintf("How long %s may take (%s), as a Go duration such as `45m`. Default `%s`. A wait that runs out names this setting.",
		op, what, shortDuration(d))
}

// shortDuration writes whole hours or minutes as users write them ("30m",
// not "30m0s").
func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
