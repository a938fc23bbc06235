// Package kube reconciles compiled Kubernetes objects (NetworkPolicies, Istio
// AuthorizationPolicies) with a cluster through client-go server-side apply.
//
// Ownership is explicit: every object the provider writes carries the
// managed-by label and an owner label naming the Terraform resource that
// compiled it. The reconciler lists only objects carrying both (one filtered
// LIST per kind, across namespaces), applies the desired ones with its own
// field manager, deletes owned objects that are no longer desired, and refuses
// to take over an object of the same name that it does not own.
package kube

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// FieldManager is the server-side-apply manager name of the provider. The
// ownership labels are the compiler's (kubernetes.ManagedByLabel, OwnerLabel):
// it writes them, this package selects by them.
const FieldManager = model.ManagedBy

// Kinds the reconciler manages, in apply order.
var (
	NetworkPolicyGVR       = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}
	AuthorizationPolicyGVR = schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}
	managedKinds           = map[schema.GroupVersionKind]schema.GroupVersionResource{
		{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}:       NetworkPolicyGVR,
		{Group: "security.istio.io", Version: "v1", Kind: "AuthorizationPolicy"}: AuthorizationPolicyGVR,
	}
)

// Client applies and reads owned objects.
type Client struct {
	dyn dynamic.Interface
	// Force takes ownership of fields another manager holds instead of
	// reporting a conflict. Off by default: a conflict is news to the user.
	Force bool
}

// New builds a client from a REST configuration.
func New(cfg *rest.Config) (*Client, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{dyn: dyn}, nil
}

// NewFromDynamic wraps an existing dynamic client (tests, shared clients).
func NewFromDynamic(dyn dynamic.Interface) *Client { return &Client{dyn: dyn} }

// Key identifies an object: kind, namespace and name.
type Key struct{ Kind, Namespace, Name string }

func (k Key) String() string { return k.Kind + " " + k.Namespace + "/" + k.Name }

// KeyOf returns the key of an object.
func KeyOf(o *unstructured.Unstructured) Key {
	return Key{Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
}

// ConflictError is a server-side-apply conflict: another field manager owns
// fields this apply would change.
type ConflictError struct {
	Object Key
	Detail string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s: another field manager owns fields this provider would change (%s). Resolve the conflict, or set kubernetes.force_conflicts = true in the resource to take ownership", e.Object, e.Detail)
}

// NotOwnedError means an object with a desired name exists but was not
// written by this owner; the provider never takes such objects over.
type NotOwnedError struct {
	Object Key
	Labels map[string]string
}

func (e *NotOwnedError) Error() string {
	return fmt.Sprintf("%s already exists and is not owned by this resource (labels %v); rename the segment or delete the object", e.Object, e.Labels)
}

// Selector selects the objects of one owner.
func Selector(owner string) labels.Selector {
	return labels.SelectorFromSet(labels.Set{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, kubernetes.OwnerLabel: owner})
}

// List returns every object of the managed kinds that carries the owner's
// labels, sorted by key. A kind whose API is not served (the Istio CRD
// absent) yields nothing.
func (c *Client) List(ctx context.Context, owner string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, gvr := range sortedGVRs() {
		list, err := c.dyn.Resource(gvr).Namespace(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: Selector(owner).String()})
		if err != nil {
			if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
				continue
			}
			return nil, fmt.Errorf("listing %s owned by %s: %w", gvr.Resource, owner, err)
		}
		for i := range list.Items {
			out = append(out, &list.Items[i])
		}
	}
	sortObjects(out)
	return out, nil
}

// Result says what an Apply changed.
type Result struct {
	Applied, Deleted []Key
}

// Apply makes the cluster hold exactly the desired objects for owner: each
// is server-side applied (with the owner's labels added), and owned objects
// not desired any more are deleted. Objects are applied even when they look
// unchanged, because server-side apply is idempotent and this also restores
// fields someone edited.
func (c *Client) Apply(ctx context.Context, owner string, desired []*unstructured.Unstructured) (Result, error) {
	var res Result
	live, err := c.List(ctx, owner)
	if err != nil {
		return res, err
	}
	liveByKey := map[Key]*unstructured.Unstructured{}
	for _, o := range live {
		liveByKey[KeyOf(o)] = o
	}
	want := map[Key]bool{}
	for _, d := range desired {
		obj := d.DeepCopy()
		gvr, ok := managedKinds[obj.GroupVersionKind()]
		if !ok {
			return res, fmt.Errorf("%s: kind %s is not managed by this provider", KeyOf(obj), obj.GroupVersionKind())
		}
		setOwnerLabels(obj, owner)
		key := KeyOf(obj)
		want[key] = true
		if _, owned := liveByKey[key]; !owned {
			// Not among ours: make sure we are not about to take over someone else's object.
			existing, err := c.dyn.Resource(gvr).Namespace(obj.GetNamespace()).Get(ctx, obj.GetName(), metav1.GetOptions{})
			switch {
			case err == nil:
				return res, &NotOwnedError{Object: key, Labels: existing.GetLabels()}
			case !apierrors.IsNotFound(err):
				return res, fmt.Errorf("reading %s: %w", key, err)
			}
		}
		_, err := c.dyn.Resource(gvr).Namespace(obj.GetNamespace()).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: c.Force})
		if err != nil && apierrors.IsConflict(err) {
			// An imperative edit (kubectl edit, an Update by a controller)
			// takes ownership of the fields it changed: that is drift in what
			// this resource owns, and correcting it is the resource's job.
			// Another server-side applier is a declared co-owner: its
			// conflict is reported unless forcing was configured.
			appliers := conflictingAppliers(liveByKey[key], conflictManagers(err))
			if len(appliers) > 0 {
				return res, &ConflictError{Object: key, Detail: conflictDetail(err)}
			}
			_, err = c.dyn.Resource(gvr).Namespace(obj.GetNamespace()).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
		}
		if err != nil {
			if apierrors.IsConflict(err) {
				return res, &ConflictError{Object: key, Detail: conflictDetail(err)}
			}
			return res, fmt.Errorf("applying %s: %w", key, err)
		}
		res.Applied = append(res.Applied, key)
	}
	for _, o := range live {
		key := KeyOf(o)
		if want[key] {
			continue
		}
		if err := c.delete(ctx, o); err != nil {
			return res, err
		}
		res.Deleted = append(res.Deleted, key)
	}
	return res, nil
}

// DeleteAll removes every object the owner has.
func (c *Client) DeleteAll(ctx context.Context, owner string) ([]Key, error) {
	live, err := c.List(ctx, owner)
	if err != nil {
		return nil, err
	}
	var deleted []Key
	for _, o := range live {
		if err := c.delete(ctx, o); err != nil {
			return deleted, err
		}
		deleted = append(deleted, KeyOf(o))
	}
	return deleted, nil
}

func (c *Client) delete(ctx context.Context, o *unstructured.Unstructured) error {
	gvr := managedKinds[o.GroupVersionKind()]
	// Preconditions guard against deleting an object that was replaced
	// between the LIST and the DELETE by someone else's object of that name.
	uid := o.GetUID()
	err := c.dyn.Resource(gvr).Namespace(o.GetNamespace()).Delete(ctx, o.GetName(), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting %s: %w", KeyOf(o), err)
	}
	return nil
}

// Drift compares desired objects with the live owned ones and describes
// every difference: missing objects, unexpected owned objects, and desired
// fields whose live value differs. The comparison is "desired ⊆ live": the
// API server adds defaults and metadata the compiler never set, which is not
// drift, while every field the compiler did set must read back equal (lists
// element by element and of the same length, so an added rule is drift).
func Drift(desired, live []*unstructured.Unstructured) []string {
	liveByKey := map[Key]*unstructured.Unstructured{}
	for _, o := range live {
		liveByKey[KeyOf(o)] = o
	}
	var out []string
	seen := map[Key]bool{}
	for _, d := range desired {
		key := KeyOf(d)
		seen[key] = true
		l, ok := liveByKey[key]
		if !ok {
			out = append(out, key.String()+": missing")
			continue
		}
		if p := ObjectDrift(d, l); p != "" {
			out = append(out, key.String()+": "+p+" differs")
		}
	}
	for _, l := range live {
		if key := KeyOf(l); !seen[key] {
			out = append(out, key.String()+": not declared")
		}
	}
	sort.Strings(out)
	return out
}

// ObjectDrift returns the path of the first field the compiler set whose
// live value differs ("" when the live object matches), ignoring what the
// server adds and the fields the reconciler itself sets.
func ObjectDrift(desired, live *unstructured.Unstructured) string {
	want := desired.DeepCopy()
	delete(want.Object, "status")
	unstructured.RemoveNestedField(want.Object, "metadata", "labels", kubernetes.OwnerLabel)
	unstructured.RemoveNestedField(want.Object, "metadata", "creationTimestamp")
	return firstDifference(want.Object, live.Object, "")
}

// firstDifference returns the path of the first desired value the live value
// does not match, or "" when desired ⊆ live.
func firstDifference(desired, live any, path string) string {
	switch d := desired.(type) {
	case nil:
		return "" // an unset optional field: the server may default it
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			if len(d) == 0 && live == nil {
				return ""
			}
			return orRoot(path)
		}
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := firstDifference(d[k], l[k], path+"."+k); p != "" {
				return p
			}
		}
		return ""
	case []any:
		l, ok := live.([]any)
		if !ok {
			if len(d) == 0 && live == nil {
				return ""
			}
			return orRoot(path)
		}
		if len(l) != len(d) {
			return orRoot(path)
		}
		for i := range d {
			if p := firstDifference(d[i], l[i], fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
		return ""
	default:
		if !scalarEqual(d, live) {
			return orRoot(path)
		}
		return ""
	}
}

// scalarEqual compares JSON scalars; numbers may come back as int64 or float64.
func scalarEqual(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func orRoot(path string) string {
	if path == "" {
		return "."
	}
	return strings.TrimPrefix(path, ".")
}

func setOwnerLabels(o *unstructured.Unstructured, owner string) {
	l := o.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[kubernetes.ManagedByLabel] = kubernetes.ManagedByValue
	l[kubernetes.OwnerLabel] = owner
	o.SetLabels(l)
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

func sortedGVRs() []schema.GroupVersionResource {
	out := make([]schema.GroupVersionResource, 0, len(managedKinds))
	for _, g := range managedKinds {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func sortObjects(objs []*unstructured.Unstructured) {
	sort.Slice(objs, func(i, j int) bool { return KeyOf(objs[i]).String() < KeyOf(objs[j]).String() })
}
