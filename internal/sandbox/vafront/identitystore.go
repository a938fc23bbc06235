package vafront

import (
	"encoding/json"
	"strings"
)

// Identity Store actions moto 5.2.1 lacks: UpdateGroup and
// GetGroupMembershipId answer HTTP 500 with an HTML page. The front keeps
// the attributes UpdateGroup changed as an overlay on moto's groups and
// applies it to DescribeGroup, ListGroups and GetGroupId; it answers
// GetGroupMembershipId from moto's ListGroupMemberships.

type idsKey struct{ store, group string }

type groupOverlay struct {
	DisplayName *string
	Description *string
}

type idsState struct {
	groups map[idsKey]*groupOverlay
}

func newIDSState() *idsState { return &idsState{groups: map[idsKey]*groupOverlay{}} }

var idsHandlers = map[string]jsonHandler{
	"UpdateGroup":          idsUpdateGroup,
	"DescribeGroup":        idsDescribeGroup,
	"ListGroups":           idsListGroups,
	"GetGroupId":           idsGetGroupID,
	"CreateGroup":          idsCreateGroup,
	"DeleteGroup":          idsDeleteGroup,
	"GetGroupMembershipId": idsGetGroupMembershipID,
}

// overlay returns a copy of a group's overlay (nil when none).
func (c *jsonCall) overlay(k idsKey) *groupOverlay {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if o := c.f.ids.groups[k]; o != nil {
		cp := *o
		return &cp
	}
	return nil
}

// groupNamed finds a group UpdateGroup renamed to name.
func (c *jsonCall) groupNamed(store, name string) (string, bool) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	for k, o := range c.f.ids.groups {
		if k.store == store && o.DisplayName != nil && *o.DisplayName == name {
			return k.group, true
		}
	}
	return "", false
}

type groupRef struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	GroupID         string `json:"GroupId"`
}

func (g groupRef) validate() *jsonErr {
	if err := required("identityStoreId", g.IdentityStoreID); err != nil {
		return err
	}
	return required("groupId", g.GroupID)
}

// patchGroup applies an overlay to one group document of moto's.
func patchGroup(g map[string]any, o *groupOverlay) {
	if o == nil {
		return
	}
	if o.DisplayName != nil {
		g["DisplayName"] = *o.DisplayName
	}
	if o.Description != nil {
		g["Description"] = *o.Description
	}
}

// idsUpdateGroup: UpdateGroup (Identity Store API reference) replaces the
// attributes named by AttributePath ("displayName", "description") with
// AttributeValue; 1 to 100 operations; a display name another group has is
// ConflictException; an unknown group is ResourceNotFoundException.
func idsUpdateGroup(c *jsonCall) (jsonResult, *jsonErr) {
	var req struct {
		groupRef
		Operations []struct {
			AttributePath  string          `json:"AttributePath"`
			AttributeValue json.RawMessage `json:"AttributeValue"`
		} `json:"Operations"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	if err := req.validate(); err != nil {
		return jsonResult{}, err
	}
	if len(req.Operations) < 1 || len(req.Operations) > 100 {
		return jsonResult{}, validationErr("1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	next := groupOverlay{}
	for _, op := range req.Operations {
		var v string
		if err := json.Unmarshal(op.AttributeValue, &v); err != nil {
			return jsonResult{}, validationErr("AttributeValue of %q must be a string", op.AttributePath)
		}
		switch strings.ToLower(op.AttributePath) {
		case "displayname":
			if strings.TrimSpace(v) == "" || len(v) > 1024 {
				return jsonResult{}, validationErr("displayName must be 1 to 1024 characters and not blank")
			}
			next.DisplayName = &v
		case "description":
			if len(v) > 1024 {
				return jsonResult{}, validationErr("description must be at most 1024 characters")
			}
			next.Description = &v
		default:
			return jsonResult{}, validationErr("Invalid AttributePath %q for a group: use displayName or description", op.AttributePath)
		}
	}
	m, err := c.moto("DescribeGroup", req.groupRef)
	if err != nil || !m.ok() {
		return jsonResult{moto: m}, err
	}
	if next.DisplayName != nil {
		if other, ok := c.groupNamed(req.IdentityStoreID, *next.DisplayName); ok && other != req.GroupID {
			return jsonResult{}, conflictErr("Duplicate GroupDisplayName")
		}
		id, err := c.motoGroupIDByName(req.IdentityStoreID, *next.DisplayName)
		if err != nil {
			return jsonResult{}, err
		}
		if id != "" && id != req.GroupID {
			if o := c.overlay(idsKey{req.IdentityStoreID, id}); o == nil || o.DisplayName == nil {
				return jsonResult{}, conflictErr("Duplicate GroupDisplayName")
			}
		}
	}
	c.f.mu.Lock()
	k := idsKey{req.IdentityStoreID, req.GroupID}
	o := c.f.ids.groups[k]
	if o == nil {
		o = &groupOverlay{}
		c.f.ids.groups[k] = o
	}
	if next.DisplayName != nil {
		o.DisplayName = next.DisplayName
	}
	if next.Description != nil {
		o.Description = next.Description
	}
	c.f.mu.Unlock()
	return jsonResult{out: struct{}{}}, nil
}

// motoGroupIDByName is moto's GetGroupId by display name ("" when none).
func (c *jsonCall) motoGroupIDByName(store, name string) (string, *jsonErr) {
	m, err := c.moto("GetGroupId", map[string]any{
		"IdentityStoreId": store,
		"AlternateIdentifier": map[string]any{"UniqueAttribute": map[string]any{
			"AttributePath": "displayName", "AttributeValue": name}},
	})
	if err != nil || !m.ok() {
		return "", err
	}
	var out struct {
		GroupID string `json:"GroupId"`
	}
	_ = json.Unmarshal(m.Body, &out)
	return out.GroupID, nil
}

func idsDescribeGroup(c *jsonCall) (jsonResult, *jsonErr) {
	var req groupRef
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	m, err := c.forward()
	if err != nil || !m.ok() {
		return jsonResult{moto: m}, err
	}
	o := c.overlay(idsKey{req.IdentityStoreID, req.GroupID})
	if o == nil {
		return jsonResult{moto: m}, nil
	}
	var g map[string]any
	if err := json.Unmarshal(m.Body, &g); err != nil {
		return jsonResult{}, internalErr(err)
	}
	patchGroup(g, o)
	return jsonResult{out: g}, nil
}

func idsListGroups(c *jsonCall) (jsonResult, *jsonErr) {
	var req struct {
		IdentityStoreID string `json:"IdentityStoreId"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	m, err := c.forward()
	if err != nil || !m.ok() {
		return jsonResult{moto: m}, err
	}
	var out map[string]any
	if err := json.Unmarshal(m.Body, &out); err != nil {
		return jsonResult{}, internalErr(err)
	}
	groups, _ := out["Groups"].([]any)
	for _, g := range groups {
		if gm, ok := g.(map[string]any); ok {
			id, _ := gm["GroupId"].(string)
			patchGroup(gm, c.overlay(idsKey{req.IdentityStoreID, id}))
		}
	}
	return jsonResult{out: out}, nil
}

// idsGetGroupID: GetGroupId by displayName finds a group under the name
// UpdateGroup gave it, and no longer under its old name.
func idsGetGroupID(c *jsonCall) (jsonResult, *jsonErr) {
	var req struct {
		IdentityStoreID     string `json:"IdentityStoreId"`
		AlternateIdentifier struct {
			UniqueAttribute *struct {
				AttributePath  string          `json:"AttributePath"`
				AttributeValue json.RawMessage `json:"AttributeValue"`
			} `json:"UniqueAttribute"`
		} `json:"AlternateIdentifier"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	ua := req.AlternateIdentifier.UniqueAttribute
	var name string
	if ua == nil || !strings.EqualFold(ua.AttributePath, "displayName") || json.Unmarshal(ua.AttributeValue, &name) != nil {
		m, err := c.forward()
		return jsonResult{moto: m}, err
	}
	if id, ok := c.groupNamed(req.IdentityStoreID, name); ok {
		return jsonResult{out: map[string]string{"GroupId": id, "IdentityStoreId": req.IdentityStoreID}}, nil
	}
	m, err := c.forward()
	if err != nil || !m.ok() {
		return jsonResult{moto: m}, err
	}
	var out struct {
		GroupID string `json:"GroupId"`
	}
	_ = json.Unmarshal(m.Body, &out)
	if o := c.overlay(idsKey{req.IdentityStoreID, out.GroupID}); o != nil && o.DisplayName != nil && *o.DisplayName != name {
		return jsonResult{}, notFoundErr("GROUP not found.")
	}
	return jsonResult{moto: m}, nil
}

// idsCreateGroup refuses a display name UpdateGroup gave another group
// (ConflictException), as moto cannot know it.
func idsCreateGroup(c *jsonCall) (jsonResult, *jsonErr) {
	var req struct {
		IdentityStoreID string `json:"IdentityStoreId"`
		DisplayName     string `json:"DisplayName"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	if _, ok := c.groupNamed(req.IdentityStoreID, req.DisplayName); ok && req.DisplayName != "" {
		return jsonResult{}, conflictErr("Duplicate GroupDisplayName")
	}
	m, err := c.forward()
	return jsonResult{moto: m}, err
}

func idsDeleteGroup(c *jsonCall) (jsonResult, *jsonErr) {
	var req groupRef
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	m, err := c.forward()
	if err == nil && m.ok() {
		c.f.mu.Lock()
		delete(c.f.ids.groups, idsKey{req.IdentityStoreID, req.GroupID})
		c.f.mu.Unlock()
	}
	return jsonResult{moto: m}, err
}

// idsGetGroupMembershipID: GetGroupMembershipId (Identity Store API
// reference) answers the MembershipId of a user in a group, or
// ResourceNotFoundException. The front reads moto's ListGroupMemberships.
func idsGetGroupMembershipID(c *jsonCall) (jsonResult, *jsonErr) {
	var req struct {
		groupRef
		MemberID struct {
			UserID string `json:"UserId"`
		} `json:"MemberId"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	if err := req.validate(); err != nil {
		return jsonResult{}, err
	}
	if err := required("memberId", req.MemberID.UserID); err != nil {
		return jsonResult{}, err
	}
	token := ""
	for {
		in := map[string]any{"IdentityStoreId": req.IdentityStoreID, "GroupId": req.GroupID}
		if token != "" {
			in["NextToken"] = token
		}
		m, err := c.moto("ListGroupMemberships", in)
		if err != nil || !m.ok() {
			return jsonResult{moto: m}, err
		}
		var out struct {
			GroupMemberships []struct {
				MembershipID string `json:"MembershipId"`
				MemberID     struct {
					UserID string `json:"UserId"`
				} `json:"MemberId"`
			} `json:"GroupMemberships"`
			NextToken *string `json:"NextToken"`
		}
		if err := json.Unmarshal(m.Body, &out); err != nil {
			return jsonResult{}, internalErr(err)
		}
		for _, gm := range out.GroupMemberships {
			if gm.MemberID.UserID == req.MemberID.UserID {
				return jsonResult{out: map[string]string{"MembershipId": gm.MembershipID, "IdentityStoreId": req.IdentityStoreID}}, nil
			}
		}
		if out.NextToken == nil || *out.NextToken == "" || *out.NextToken == token {
			break
		}
		token = *out.NextToken
	}
	return jsonResult{}, notFoundErr("GROUP_MEMBERSHIP not found.")
}
