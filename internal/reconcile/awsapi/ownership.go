package awsapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Ownership of the objects the provider creates is an identity, not a name:
// each create (and each adoption) draws a random ownership id, writes it on
// the object and records it in state. A name or a managed-by tag is a hint
// that another configuration can copy; the ownership id is checked before an
// object is taken over, changed or deleted.
//
// TagCreatePending carries the same id while the create is in flight: it is
// removed once the object is complete and recorded in state. An object still
// pending was left by a create whose response, or whose Terraform process, was
// lost; the next create of the same name adopts it — exactly once, since the
// adopter writes its own ownership id — instead of making a second one.
const (
	TagOwnership     = "zerotrust:ownership"
	TagCreatePending = "zerotrust:create-pending"
)

// OwnershipError reports an object that exists under the requested name but
// belongs to another resource instance (or to no zerotrust resource).
type OwnershipError = model.OwnershipError

// IsOwnershipError reports whether err is an OwnershipError.
func IsOwnershipError(err error) bool {
	var oe *OwnershipError
	return errors.As(err, &oe)
}

// recoverable reports whether an existing object with the requested name may
// be adopted by the create drawing ownership id want: it is this provider's,
// and its create is still pending (a lost response of this very create, or an
// interrupted one of an earlier run).
func recoverable(tags map[string]string) bool {
	return tags[TagManagedBy] == ManagedByValue && tags[TagCreatePending] != "" && tags[TagCreatePending] == tags[TagOwnership]
}

// ClaimPending writes ownership id on an object recovered from an
// interrupted create, so exactly one create ever adopts it.
func ClaimPending(ctx context.Context, c *ec2.Client, id, ownership string) error {
	_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{
		{Key: aws.String(TagOwnership), Value: aws.String(ownership)},
		{Key: aws.String(TagCreatePending), Value: aws.String(ownership)},
	}})
	if err != nil {
		return fmt.Errorf("claiming %s: %w", id, err)
	}
	return nil
}

// CompleteCreate removes the pending mark: the object is recorded in state
// and from now on only its ownership id identifies it.
func CompleteCreate(ctx context.Context, c *ec2.Client, id string) error {
	_, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String(TagCreatePending)}}})
	if err != nil {
		return fmt.Errorf("completing the create of %s: %w", id, err)
	}
	return nil
}

// CheckOwnership refuses to touch an object whose ownership id is not the
// one recorded in state. A state without one (written before ownership ids)
// accepts the object as it is.
func CheckOwnership(kind, id string, tags map[string]string, recorded string) error {
	return CheckOwnershipID(kind, id, tags[TagOwnership], recorded)
}

// CheckOwnershipID is CheckOwnership for an object whose ownership id is not
// a tag (an Identity Store group's marker).
func CheckOwnershipID(kind, id, live, recorded string) error {
	if recorded == "" || live == recorded {
		return nil
	}
	return fmt.Errorf("%s %s now carries ownership id %q, not %q recorded in this state: another zerotrust resource took it over "+
		"(by import). It is left untouched; remove it from this state (`terraform state rm`) or from the other one", kind, id, live, recorded)
}
