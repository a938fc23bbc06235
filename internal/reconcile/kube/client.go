package kube

import (
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// FieldManager is the server-side-apply manager name of the provider. The
// ownership labels are the compiler's (kubernetes.ManagedByLabel, OwnerLabel):
// it writes them, this package selects by them.
const FieldManager = model.ManagedBy

// Client applies and reads owned objects.
type Client struct {
	dyn dynamic.Interface
	// reads is shared by copies of the client (see applyManifests).
	reads *readState
	// Force takes ownership of fields another manager holds instead of
	// reporting a conflict. Off by default: a conflict is news to the user.
	Force bool
}

// New builds a client from a REST configuration.
func New(cfg *rest.Config) (*Client, error) {
	c := &Client{reads: &readState{}}
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(c.observeWrites)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	c.dyn = dyn
	return c, nil
}

// NewFromDynamic wraps an existing dynamic client (tests, shared clients).
func NewFromDynamic(dyn dynamic.Interface) *Client { return &Client{dyn: dyn, reads: &readState{}} }
