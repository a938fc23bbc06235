package vafront

import "fmt"

func (f *Front) renderGroup(g *group) xGroup {
	return xGroup{
		ID:          g.ID,
		InstanceID:  g.InstanceID,
		Description: g.Description,
		Owner:       f.opts.AccountID,
		Arn:         fmt.Sprintf("arn:aws:ec2:%s:%s:verified-access-group/%s", f.opts.Region, f.opts.AccountID, g.ID),
		Created:     fmtTime(g.Created),
		LastUpdated: fmtTime(g.Updated),
		Tags:        g.tagList(),
		Sse:         g.Sse.render(),
	}
}

func (g *group) filterValues(name string) ([]string, bool) {
	switch name {
	case "verified-access-group-id":
		return []string{g.ID}, true
	case "verified-access-instance-id":
		return []string{g.InstanceID}, true
	case "description":
		return []string{g.Description}, true
	}
	return nil, false
}

func (f *Front) groupByID(p params) (*group, *apiError) {
	id, err := p.required("VerifiedAccessGroupId")
	if err != nil {
		return nil, err
	}
	g, ok := f.st.groups[id]
	if !ok {
		return nil, kindGroup.notFound(id)
	}
	return g, nil
}

func (f *Front) createGroup(p params) (requestIDSetter, *apiError) {
	const action = "CreateVerifiedAccessGroup"
	if r, err := f.replay(action, p); r != nil || err != nil {
		return r, err
	}
	in, err := f.instanceByID(p)
	if err != nil {
		return nil, err
	}
	g := &group{InstanceID: in.ID, Description: p.get("Description")}
	if p.has("PolicyDocument") {
		doc := p.get("PolicyDocument")
		if err := validatePolicy(doc); err != nil {
			return nil, err
		}
		g.Policy, g.PolicyEnabled = doc, true
	}
	if g.Sse, err = readSse(p, sseSpec{}); err != nil {
		return nil, err
	}
	tags, err := tagSpecifications(p, kindGroup)
	if err != nil {
		return nil, err
	}
	g.common = f.st.newCommon(kindGroup, f.now(), tags)
	f.st.groups[g.ID] = g
	snap := f.renderGroup(g)
	f.remember(action, p, func() requestIDSetter { return &respGroup{Group: snap} })
	return &respGroup{Group: snap}, nil
}

func (f *Front) describeGroups(p params) (requestIDSetter, *apiError) {
	q, err := readDescribe(p, "VerifiedAccessGroupId")
	if err != nil {
		return nil, err
	}
	// VerifiedAccessInstanceId is a plain parameter here, not a filter.
	if inst := p.get("VerifiedAccessInstanceId"); inst != "" {
		q.filters = append(q.filters, filter{Name: "verified-access-instance-id", Values: []string{inst}})
	}
	items, next, err := describe(q, kindGroup, ordered(f.st.groups), f.st.groups, f.visible)
	if err != nil {
		return nil, err
	}
	resp := &respGroups{NextToken: next}
	for _, g := range items {
		resp.Groups = append(resp.Groups, f.renderGroup(g))
	}
	return resp, nil
}

func (f *Front) modifyGroup(p params) (requestIDSetter, *apiError) {
	g, err := f.groupByID(p)
	if err != nil {
		return nil, err
	}
	if p.get("VerifiedAccessInstanceId") != "" {
		in, err := f.instanceByID(p)
		if err != nil {
			return nil, err
		}
		g.InstanceID = in.ID
		for _, e := range f.st.endpoints {
			if e.GroupID == g.ID {
				e.InstanceID = in.ID
			}
		}
	}
	optionalString(&g.Description, p, "Description")
	g.Updated = f.now()
	return &respGroup{Group: f.renderGroup(g)}, nil
}

func (f *Front) deleteGroup(p params) (requestIDSetter, *apiError) {
	g, err := f.groupByID(p)
	if err != nil {
		return nil, err
	}
	for _, e := range f.st.endpoints {
		if e.GroupID == g.ID {
			return nil, errDependency(g.ID)
		}
	}
	x := f.renderGroup(g)
	x.Deletion = fmtTime(f.now())
	delete(f.st.groups, g.ID)
	return &respGroup{Group: x}, nil
}

func (f *Front) getGroupPolicy(p params) (requestIDSetter, *apiError) {
	g, err := f.groupByID(p)
	if err != nil {
		return nil, err
	}
	if !f.visible(&g.common) {
		return nil, kindGroup.notFound(g.ID)
	}
	return &respPolicy{PolicyEnabled: g.PolicyEnabled, PolicyDocument: g.Policy}, nil
}

// applyPolicyChange implements ModifyVerified*Policy: PolicyDocument, when
// given, replaces the stored document; PolicyEnabled, when given, switches
// evaluation on or off without discarding the document. Enabling requires a
// document (given now or stored before).
func applyPolicyChange(p params, doc *string, enabled *bool) *apiError {
	en, err := p.optBool("PolicyEnabled")
	if err != nil {
		return err
	}
	newDoc := *doc
	if p.has("PolicyDocument") {
		newDoc = p.get("PolicyDocument")
		if newDoc != "" {
			if err := validatePolicy(newDoc); err != nil {
				return err
			}
		}
	}
	newEnabled := *enabled
	if en != nil {
		newEnabled = *en
	} else if p.has("PolicyDocument") {
		newEnabled = newDoc != ""
	}
	if newEnabled && newDoc == "" {
		return errInvalid("A policy document is required when PolicyEnabled is true.")
	}
	*doc, *enabled = newDoc, newEnabled
	return nil
}

func (f *Front) modifyGroupPolicy(p params) (requestIDSetter, *apiError) {
	g, err := f.groupByID(p)
	if err != nil {
		return nil, err
	}
	if !p.has("PolicyEnabled") && !p.has("PolicyDocument") {
		return nil, errMissing("PolicyEnabled")
	}
	if err := applyPolicyChange(p, &g.Policy, &g.PolicyEnabled); err != nil {
		return nil, err
	}
	if g.Sse, err = readSse(p, g.Sse); err != nil {
		return nil, err
	}
	g.Updated = f.now()
	return &respPolicy{PolicyEnabled: g.PolicyEnabled, PolicyDocument: g.Policy, Sse: g.Sse.render()}, nil
}
