package vafront

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
)

// SSO Admin (IAM Identity Center) actions moto 5.2.1 lacks or gets wrong.
// moto answers TagResource, UntagResource, ListTagsForResource,
// Put/Get/DeletePermissionsBoundary… and
// DescribePermissionSetProvisioningStatus with HTTP 500 and an HTML page
// (NotImplementedError); it drops CreatePermissionSet's Tags. The front
// keeps that state itself, keyed by instance ARN + permission-set ARN, and
// checks that a permission set exists by asking moto's DescribePermissionSet.

type psKey struct{ instance, ps string }

type ssoTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type customerManagedPolicyReference struct {
	Name string `json:"Name"`
	Path string `json:"Path,omitempty"`
}

type permissionsBoundary struct {
	CustomerManagedPolicyReference *customerManagedPolicyReference `json:"CustomerManagedPolicyReference,omitempty"`
	ManagedPolicyArn               *string                         `json:"ManagedPolicyArn,omitempty"`
}

type ssoState struct {
	tags         map[psKey]map[string]string
	boundaries   map[psKey]permissionsBoundary
	provisioning map[psKey]json.RawMessage // (instance, request ID) → PermissionSetProvisioningStatus
}

func newSSOState() *ssoState {
	return &ssoState{
		tags:         map[psKey]map[string]string{},
		boundaries:   map[psKey]permissionsBoundary{},
		provisioning: map[psKey]json.RawMessage{},
	}
}

// sso returns the current state (Reset swaps it).
func (c *jsonCall) sso() *ssoState {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	return c.f.sso
}

var ssoHandlers = map[string]jsonHandler{
	"CreatePermissionSet":                        ssoCreatePermissionSet,
	"UpdatePermissionSet":                        ssoUpdatePermissionSet,
	"DeletePermissionSet":                        ssoDeletePermissionSet,
	"TagResource":                                ssoTagResource,
	"UntagResource":                              ssoUntagResource,
	"ListTagsForResource":                        ssoListTagsForResource,
	"PutPermissionsBoundaryToPermissionSet":      ssoPutPermissionsBoundary,
	"GetPermissionsBoundaryForPermissionSet":     ssoGetPermissionsBoundary,
	"DeletePermissionsBoundaryFromPermissionSet": ssoDeletePermissionsBoundary,
	"ProvisionPermissionSet":                     ssoProvisionPermissionSet,
	"DescribePermissionSetProvisioningStatus":    ssoDescribeProvisioningStatus,
}

const (
	maxSSOTagsPerRequest  = 75
	maxSSOTagsPerResource = 50
)

var ssoTagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

func validateSSOTags(tags []ssoTag) *jsonErr {
	if len(tags) > maxSSOTagsPerRequest {
		return validationErr("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxSSOTagsPerRequest)
	}
	for _, t := range tags {
		if n := len([]rune(t.Key)); n < 1 || n > 128 || !ssoTagPattern.MatchString(t.Key) {
			return validationErr("Invalid tag key %q: 1 to 128 characters of letters, spaces, digits and _.:/=+-@", t.Key)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return validationErr("Tag keys starting with 'aws:' are reserved: %q", t.Key)
		}
		if n := len([]rune(t.Value)); n > 256 || !ssoTagPattern.MatchString(t.Value) {
			return validationErr("Invalid tag value %q for key %q: up to 256 characters of letters, spaces, digits and _.:/=+-@", t.Value, t.Key)
		}
	}
	return nil
}

func required(name, v string) *jsonErr {
	if v == "" {
		return validationErr("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", name)
	}
	return nil
}

// psRef is the InstanceArn + PermissionSetArn most actions carry.
type psRef struct {
	InstanceArn      string `json:"InstanceArn"`
	PermissionSetArn string `json:"PermissionSetArn"`
}

func (p psRef) key() psKey { return psKey{p.InstanceArn, p.PermissionSetArn} }

func (p psRef) validate() *jsonErr {
	if err := required("instanceArn", p.InstanceArn); err != nil {
		return err
	}
	return required("permissionSetArn", p.PermissionSetArn)
}

// describePermissionSet asks moto for the permission set; a non-nil
// response is moto's error answer (ResourceNotFoundException …) to relay.
func (c *jsonCall) describePermissionSet(p psRef) (map[string]any, *motoResponse, *jsonErr) {
	m, err := c.moto("DescribePermissionSet", p)
	if err != nil {
		return nil, nil, err
	}
	if !m.ok() {
		return nil, m, nil
	}
	var out struct {
		PermissionSet map[string]any `json:"PermissionSet"`
	}
	if err := json.Unmarshal(m.Body, &out); err != nil {
		return nil, nil, internalErr(err)
	}
	return out.PermissionSet, nil, nil
}

// ssoCreatePermissionSet keeps the Tags moto drops, refuses a name the
// instance already has with ConflictException as AWS does (moto accepts
// duplicates), and sends moto the documented default SessionDuration (PT1H)
// when the request has none (moto would store the number 3600, which the
// SDK cannot decode).
func ssoCreatePermissionSet(c *jsonCall) (jsonResult, *jsonErr) {
	var in map[string]json.RawMessage
	if err := c.decode(&in); err != nil {
		return jsonResult{}, err
	}
	var req struct {
		psRef
		Name string   `json:"Name"`
		Tags []ssoTag `json:"Tags"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	if err := required("instanceArn", req.InstanceArn); err != nil {
		return jsonResult{}, err
	}
	if err := required("name", req.Name); err != nil {
		return jsonResult{}, err
	}
	if err := validateSSOTags(req.Tags); err != nil {
		return jsonResult{}, err
	}
	if len(tagMapOf(req.Tags)) > maxSSOTagsPerResource {
		return jsonResult{}, &jsonErr{http.StatusBadRequest, "ServiceQuotaExceededException", "A permission set can have at most 50 tags."}
	}
	if taken, err := c.permissionSetNamed(req.InstanceArn, req.Name); err != nil {
		return jsonResult{}, err
	} else if taken != "" {
		return jsonResult{}, conflictErr("PermissionSet with name %s already exists (%s).", req.Name, psID(taken))
	}
	if _, ok := in["SessionDuration"]; !ok {
		in["SessionDuration"] = json.RawMessage(`"PT1H"`)
	}
	m, err := c.moto(c.ri.action, in)
	if err != nil {
		return jsonResult{}, err
	}
	if m.ok() {
		var out struct {
			PermissionSet struct {
				PermissionSetArn string `json:"PermissionSetArn"`
			} `json:"PermissionSet"`
		}
		if json.Unmarshal(m.Body, &out) == nil && out.PermissionSet.PermissionSetArn != "" {
			st := c.sso()
			c.f.mu.Lock()
			st.tags[psKey{req.InstanceArn, out.PermissionSet.PermissionSetArn}] = tagMapOf(req.Tags)
			c.f.mu.Unlock()
		}
	}
	return jsonResult{moto: m}, nil
}

func tagMapOf(tags []ssoTag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// ssoUpdatePermissionSet: AWS changes only the members the request names;
// moto resets the others (Description, RelayState to null, SessionDuration
// to the number 3600). The front completes the request from the current
// permission set before moto sees it.
func ssoUpdatePermissionSet(c *jsonCall) (jsonResult, *jsonErr) {
	var in map[string]json.RawMessage
	if err := c.decode(&in); err != nil {
		return jsonResult{}, err
	}
	var ref psRef
	if err := c.decode(&ref); err != nil {
		return jsonResult{}, err
	}
	if err := ref.validate(); err != nil {
		return jsonResult{}, err
	}
	cur, motoErr, err := c.describePermissionSet(ref)
	if err != nil || motoErr != nil {
		return jsonResult{moto: motoErr}, err
	}
	for _, k := range []string{"Description", "SessionDuration", "RelayState"} {
		if _, ok := in[k]; ok {
			continue
		}
		v, ok := cur[k]
		if !ok || v == nil {
			continue
		}
		if k == "SessionDuration" {
			if _, isString := v.(string); !isString {
				continue
			}
		}
		raw, _ := json.Marshal(v)
		in[k] = raw
	}
	m, err := c.moto(c.ri.action, in)
	return jsonResult{moto: m}, err
}

// ssoDeletePermissionSet drops the front's state of a permission set moto deleted.
func ssoDeletePermissionSet(c *jsonCall) (jsonResult, *jsonErr) {
	var ref psRef
	if err := c.decode(&ref); err != nil {
		return jsonResult{}, err
	}
	m, err := c.forward()
	if err != nil {
		return jsonResult{}, err
	}
	if m.ok() {
		st := c.sso()
		c.f.mu.Lock()
		delete(st.tags, ref.key())
		delete(st.boundaries, ref.key())
		c.f.mu.Unlock()
	}
	return jsonResult{moto: m}, nil
}

type tagReq struct {
	InstanceArn string   `json:"InstanceArn"`
	ResourceArn string   `json:"ResourceArn"`
	Tags        []ssoTag `json:"Tags"`
	TagKeys     []string `json:"TagKeys"`
	NextToken   string   `json:"NextToken"`
}

// tagTarget validates InstanceArn + ResourceArn and checks (through moto)
// that the resource is a permission set of that instance: tags "can only
// be applied to permission sets" (TagResource, SSO Admin API reference).
func (c *jsonCall) tagTarget(req *tagReq) (psKey, *motoResponse, *jsonErr) {
	if err := c.decode(req); err != nil {
		return psKey{}, nil, err
	}
	if err := required("instanceArn", req.InstanceArn); err != nil {
		return psKey{}, nil, err
	}
	if err := required("resourceArn", req.ResourceArn); err != nil {
		return psKey{}, nil, err
	}
	ref := psRef{req.InstanceArn, req.ResourceArn}
	_, motoErr, err := c.describePermissionSet(ref)
	return ref.key(), motoErr, err
}

// ssoTagResource: TagResource adds or overwrites tags; more than 50 on the
// permission set is ServiceQuotaExceededException.
func ssoTagResource(c *jsonCall) (jsonResult, *jsonErr) {
	var req tagReq
	key, motoErr, err := c.tagTarget(&req)
	if err != nil || motoErr != nil {
		return jsonResult{moto: motoErr}, err
	}
	if req.Tags == nil {
		return jsonResult{}, required("tags", "")
	}
	if err := validateSSOTags(req.Tags); err != nil {
		return jsonResult{}, err
	}
	st := c.sso()
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	cur := st.tags[key]
	next := map[string]string{}
	for k, v := range cur {
		next[k] = v
	}
	for _, t := range req.Tags {
		next[t.Key] = t.Value
	}
	if len(next) > maxSSOTagsPerResource {
		return jsonResult{}, &jsonErr{http.StatusBadRequest, "ServiceQuotaExceededException", "A permission set can have at most 50 tags."}
	}
	st.tags[key] = next
	return jsonResult{out: struct{}{}}, nil
}

// ssoUntagResource: UntagResource removes the named keys (1 to 50);
// absent keys are ignored.
func ssoUntagResource(c *jsonCall) (jsonResult, *jsonErr) {
	var req tagReq
	key, motoErr, err := c.tagTarget(&req)
	if err != nil || motoErr != nil {
		return jsonResult{moto: motoErr}, err
	}
	if len(req.TagKeys) < 1 || len(req.TagKeys) > 50 {
		return jsonResult{}, validationErr("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length between 1 and 50")
	}
	st := c.sso()
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	for _, k := range req.TagKeys {
		delete(st.tags[key], k)
	}
	return jsonResult{out: struct{}{}}, nil
}

// ssoListTagsForResource: ListTagsForResource lists the tags (sorted by key here).
func ssoListTagsForResource(c *jsonCall) (jsonResult, *jsonErr) {
	var req tagReq
	key, motoErr, err := c.tagTarget(&req)
	if err != nil || motoErr != nil {
		return jsonResult{moto: motoErr}, err
	}
	if req.NextToken != "" {
		return jsonResult{}, validationErr("Invalid NextToken")
	}
	st := c.sso()
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	tags := st.tags[key]
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]ssoTag, 0, len(keys))
	for _, k := range keys {
		out = append(out, ssoTag{k, tags[k]})
	}
	return jsonResult{out: map[string]any{"Tags": out}}, nil
}

var managedPolicyArnPattern = regexp.MustCompile(`^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::aws:policy/[\p{L}\p{N}+=,.@\-/_]+$`)

// ssoPutPermissionsBoundary: PutPermissionsBoundaryToPermissionSet sets (or
// replaces) the boundary; exactly one of CustomerManagedPolicyReference
// (Name 1–128, Path 1–512 starting and ending with "/") and
// ManagedPolicyArn, else ValidationException.
func ssoPutPermissionsBoundary(c *jsonCall) (jsonResult, *jsonErr) {
	var req struct {
		psRef
		PermissionsBoundary *permissionsBoundary `json:"PermissionsBoundary"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	if err := req.validate(); err != nil {
		return jsonResult{}, err
	}
	b := req.PermissionsBoundary
	if b == nil {
		return jsonResult{}, required("permissionsBoundary", "")
	}
	switch {
	case (b.CustomerManagedPolicyReference == nil) == (b.ManagedPolicyArn == nil):
		return jsonResult{}, validationErr("A permissions boundary needs exactly one of CustomerManagedPolicyReference and ManagedPolicyArn")
	case b.ManagedPolicyArn != nil && !managedPolicyArnPattern.MatchString(*b.ManagedPolicyArn):
		return jsonResult{}, validationErr("Invalid ManagedPolicyArn %q: expected arn:aws:iam::aws:policy/<name>", *b.ManagedPolicyArn)
	case b.CustomerManagedPolicyReference != nil:
		r := b.CustomerManagedPolicyReference
		if n := len(r.Name); n < 1 || n > 128 {
			return jsonResult{}, validationErr("Invalid CustomerManagedPolicyReference.Name %q: 1 to 128 characters", r.Name)
		}
		if r.Path == "" {
			r.Path = "/"
		}
		if len(r.Path) > 512 || !strings.HasPrefix(r.Path, "/") || !strings.HasSuffix(r.Path, "/") {
			return jsonResult{}, validationErr("Invalid CustomerManagedPolicyReference.Path %q: must start and end with /", r.Path)
		}
	}
	_, motoErr, err := c.describePermissionSet(req.psRef)
	if err != nil || motoErr != nil {
		return jsonResult{moto: motoErr}, err
	}
	st := c.sso()
	c.f.mu.Lock()
	st.boundaries[req.key()] = *b
	c.f.mu.Unlock()
	return jsonResult{out: struct{}{}}, nil
}

// ssoGetPermissionsBoundary: GetPermissionsBoundaryForPermissionSet answers
// ResourceNotFoundException when the permission set has no boundary.
func ssoGetPermissionsBoundary(c *jsonCall) (jsonResult, *jsonErr) {
	var req psRef
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	if err := req.validate(); err != nil {
		return jsonResult{}, err
	}
	_, motoErr, err := c.describePermissionSet(req)
	if err != nil || motoErr != nil {
		return jsonResult{moto: motoErr}, err
	}
	st := c.sso()
	c.f.mu.Lock()
	b, ok := st.boundaries[req.key()]
	c.f.mu.Unlock()
	if !ok {
		return jsonResult{}, notFoundErr("Could not find a permissions boundary for PermissionSet %s", psID(req.PermissionSetArn))
	}
	return jsonResult{out: map[string]any{"PermissionsBoundary": b}}, nil
}

// ssoDeletePermissionsBoundary: DeletePermissionsBoundaryFromPermissionSet
// removes the boundary; removing an absent one succeeds (the permission set
// itself must exist).
func ssoDeletePermissionsBoundary(c *jsonCall) (jsonResult, *jsonErr) {
	var req psRef
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	if err := req.validate(); err != nil {
		return jsonResult{}, err
	}
	_, motoErr, err := c.describePermissionSet(req)
	if err != nil || motoErr != nil {
		return jsonResult{moto: motoErr}, err
	}
	st := c.sso()
	c.f.mu.Lock()
	delete(st.boundaries, req.key())
	c.f.mu.Unlock()
	return jsonResult{out: struct{}{}}, nil
}

func psID(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// ssoProvisionPermissionSet forwards to moto (which provisions at once and
// answers SUCCEEDED) and remembers the status under its request ID.
func ssoProvisionPermissionSet(c *jsonCall) (jsonResult, *jsonErr) {
	var req struct {
		InstanceArn string `json:"InstanceArn"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	m, err := c.forward()
	if err != nil {
		return jsonResult{}, err
	}
	if m.ok() {
		var out struct {
			Status json.RawMessage `json:"PermissionSetProvisioningStatus"`
		}
		var id struct {
			RequestID string `json:"RequestId"`
		}
		if json.Unmarshal(m.Body, &out) == nil && json.Unmarshal(out.Status, &id) == nil && id.RequestID != "" {
			st := c.sso()
			c.f.mu.Lock()
			st.provisioning[psKey{req.InstanceArn, id.RequestID}] = out.Status
			c.f.mu.Unlock()
		}
	}
	return jsonResult{moto: m}, nil
}

// ssoDescribeProvisioningStatus: DescribePermissionSetProvisioningStatus
// answers the status ProvisionPermissionSet returned; an unknown request
// ID is ResourceNotFoundException.
func ssoDescribeProvisioningStatus(c *jsonCall) (jsonResult, *jsonErr) {
	var req struct {
		InstanceArn string `json:"InstanceArn"`
		RequestID   string `json:"ProvisionPermissionSetRequestId"`
	}
	if err := c.decode(&req); err != nil {
		return jsonResult{}, err
	}
	if err := required("instanceArn", req.InstanceArn); err != nil {
		return jsonResult{}, err
	}
	if err := required("provisionPermissionSetRequestId", req.RequestID); err != nil {
		return jsonResult{}, err
	}
	st := c.sso()
	c.f.mu.Lock()
	s, ok := st.provisioning[psKey{req.InstanceArn, req.RequestID}]
	c.f.mu.Unlock()
	if !ok {
		return jsonResult{}, notFoundErr("Could not find a provisioning request with id %s", req.RequestID)
	}
	return jsonResult{out: map[string]json.RawMessage{"PermissionSetProvisioningStatus": s}}, nil
}

// permissionSetNamed returns the ARN of the instance's permission set
// named name ("" when none), from moto's ListPermissionSets and
// DescribePermissionSet (the API has no name filter).
func (c *jsonCall) permissionSetNamed(instance, name string) (string, *jsonErr) {
	token := ""
	for {
		in := map[string]any{"InstanceArn": instance}
		if token != "" {
			in["NextToken"] = token
		}
		m, err := c.moto("ListPermissionSets", in)
		if err != nil {
			return "", err
		}
		if !m.ok() {
			return "", nil // moto's own answer to the create will say what is wrong
		}
		var page struct {
			PermissionSets []string `json:"PermissionSets"`
			NextToken      *string  `json:"NextToken"`
		}
		if err := json.Unmarshal(m.Body, &page); err != nil {
			return "", internalErr(err)
		}
		for _, arn := range page.PermissionSets {
			ps, motoErr, err := c.describePermissionSet(psRef{instance, arn})
			if err != nil {
				return "", err
			}
			if motoErr == nil && ps["Name"] == name {
				return arn, nil
			}
		}
		if page.NextToken == nil || *page.NextToken == "" || *page.NextToken == token {
			return "", nil
		}
		token = *page.NextToken
	}
}
