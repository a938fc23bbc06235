package kube

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ConflictError is a server-side-apply conflict: another field manager owns
// fields this apply would change.
type ConflictError struct {
	Object Key
	Detail string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s: another field manager owns fields this provider would change (%s). Resolve the conflict, or set kubernetes.force_conflicts = true in the resource to take ownership", e.Object, e.Detail)
}

func conflictDetail(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		if d := status.Status().Details; d != nil && len(d.Causes) > 0 {
			parts := make([]string, 0, len(d.Causes))
			for _, c := range d.Causes {
				parts = append(parts, strings.TrimSpace(c.Message+" "+c.Field))
			}
			return strings.Join(parts, "; ")
		}
		return status.Status().Message
	}
	return err.Error()
}

// conflictManagers extracts the manager names a conflict names
// (`conflict with "kubectl-edit" using networking.k8s.io/v1`).
func conflictManagers(err error) []string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		return nil
	}
	var names []string
	for _, c := range status.Status().Details.Causes {
		if _, rest, ok := strings.Cut(c.Message, `conflict with "`); ok {
			if name, _, ok := strings.Cut(rest, `"`); ok {
				names = append(names, name)
			}
		}
	}
	return names
}

// conflictingAppliers returns the named managers that wrote through
// server-side apply (as opposed to an imperative update). Unknown managers
// count as appliers, so an unreadable situation is reported, not forced.
func conflictingAppliers(live *unstructured.Unstructured, managers []string) []string {
	if len(managers) == 0 {
		return []string{"unknown"}
	}
	ops := map[string]metav1.ManagedFieldsOperationType{}
	if live != nil {
		for _, mf := range live.GetManagedFields() {
			if ops[mf.Manager] != metav1.ManagedFieldsOperationApply {
				ops[mf.Manager] = mf.Operation
			}
		}
	}
	var appliers []string
	for _, m := range managers {
		if op, ok := ops[m]; !ok || op == metav1.ManagedFieldsOperationApply {
			appliers = append(appliers, m)
		}
	}
	return appliers
}
