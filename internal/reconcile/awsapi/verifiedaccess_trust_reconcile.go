package awsapi

import (
	"context"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// ReconcileTrustProviders makes the instance's attachments exactly the
// desired providers: attached providers that match are kept; anything else
// attached is detached (and deleted when this proxy owns it); a desired
// provider is then attached from an owned, unattached one that matches (left
// by an interrupted apply) or created. Detaching comes first, so a reference
// name or the single user-provider slot is free before it is reused. It
// returns the attached ids by reference and the kept (pre-existing) ones;
// on error, what is attached so far.
func ReconcileTrustProviders(ctx context.Context, c *ec2.Client, instanceID string, desired []TrustProviderSpec,
	attached []string, known map[string]*VerifiedAccessTrustProvider) (ids map[string]string, kept map[string]*VerifiedAccessTrustProvider, err error) {
	ids = map[string]string{}
	kept = map[string]*VerifiedAccessTrustProvider{}
	owned := func(tp *VerifiedAccessTrustProvider) bool {
		return tp != nil && tp.Tags[TagProxyID] == instanceID
	}
	matchFor := func(tp *VerifiedAccessTrustProvider) *TrustProviderSpec {
		for i := range desired {
			if _, taken := ids[desired[i].Reference]; !taken && desired[i].Matches(tp) {
				return &desired[i]
			}
		}
		return nil
	}
	var detach []string
	for _, id := range attached {
		tp := known[id]
		if owned(tp) {
			if s := matchFor(tp); s != nil {
				ids[s.Reference] = id
				kept[s.Reference] = tp
				continue
			}
		}
		detach = append(detach, id)
	}
	for _, id := range detach {
		if err := DetachVerifiedAccessTrustProvider(ctx, c, instanceID, id); err != nil {
			return ids, kept, err
		}
		tflog.Info(ctx, "trust provider detached", map[string]any{"instance": instanceID, "trust_provider": id, "owned": owned(known[id])})
	}
	// Owned providers not attached: reuse one that matches, delete the rest.
	var spare []*VerifiedAccessTrustProvider
	for id, tp := range known {
		if owned(tp) && !slices.Contains(attached, id) || slices.Contains(detach, id) && owned(tp) {
			spare = append(spare, tp)
		}
	}
	sort.Slice(spare, func(i, j int) bool { return spare[i].ID < spare[j].ID })
	var toAttach []string
	attachRef := map[string]string{}
	for _, tp := range spare {
		if s := matchFor(tp); s != nil && !slices.Contains(detach, tp.ID) {
			ids[s.Reference] = "" // reserved until attached
			attachRef[tp.ID] = s.Reference
			kept[s.Reference] = tp
			toAttach = append(toAttach, tp.ID)
			continue
		}
		if err := DeleteVerifiedAccessTrustProvider(ctx, c, tp.ID); err != nil {
			return clean(ids), kept, err
		}
	}
	var created []string
	for _, s := range desired {
		if _, ok := ids[s.Reference]; ok {
			continue
		}
		tp, err := CreateVerifiedAccessTrustProvider(ctx, c, s)
		if err != nil {
			return clean(ids), kept, err
		}
		tflog.Info(ctx, "trust provider created", map[string]any{"instance": instanceID, "trust_provider": tp.ID, "type": s.Type, "reference": s.Reference})
		ids[s.Reference] = ""
		attachRef[tp.ID] = s.Reference
		created = append(created, tp.ID)
		toAttach = append(toAttach, tp.ID)
	}
	if len(created) > 0 {
		if _, err := WaitVerifiedAccessTrustProviders(ctx, c, created); err != nil {
			return clean(ids), kept, err
		}
	}
	for _, id := range toAttach {
		if err := AttachVerifiedAccessTrustProvider(ctx, c, instanceID, id); err != nil {
			return clean(ids), kept, err
		}
		ids[attachRef[id]] = id
	}
	return ids, kept, nil
}

// clean drops references reserved but not attached.
func clean(ids map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range ids {
		if v != "" {
			out[k] = v
		}
	}
	return out
}
