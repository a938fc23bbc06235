package vafront

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// serveTags intercepts CreateTags, DeleteTags and DescribeTags that concern
// Verified Access objects; it reports false when the request is for moto.
func (f *Front) serveTags(w http.ResponseWriter, r *http.Request, ri requestInfo) bool {
	switch ri.action {
	case "CreateTags", "DeleteTags":
		ids := ri.form.list("ResourceId")
		var va, other []string
		for _, id := range ids {
			if _, ok := kindOfID(id); ok {
				va = append(va, id)
			} else {
				other = append(other, id)
			}
		}
		if len(va) == 0 {
			return false
		}
		if dry, _ := ri.form.optBool("DryRun"); dry != nil && *dry {
			writeEC2Error(w, errDryRun())
			return true
		}
		f.mu.Lock()
		var err *apiError
		if ri.action == "CreateTags" {
			err = f.createTags(ri.form, va)
		} else {
			err = f.deleteTags(ri.form, va)
		}
		f.mu.Unlock()
		if err != nil {
			writeEC2Error(w, err)
			return true
		}
		if len(other) == 0 {
			writeEC2(w, ri.action, &respReturn{Return: true})
			return true
		}
		// Mixed request: moto gets the same call restricted to its own IDs.
		form := url.Values{}
		for k, v := range ri.form {
			if !strings.HasPrefix(k, "ResourceId.") {
				form[k] = v
			}
		}
		for i, id := range other {
			form.Set("ResourceId."+strconv.Itoa(i+1), id)
		}
		body := []byte(form.Encode())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		f.proxy.ServeHTTP(w, r)
		return true
	case "DescribeTags":
		filters, err := ri.form.filters()
		if err != nil || !targetsVerifiedAccess(filters) {
			return false
		}
		f.mu.Lock()
		resp, apiErr := f.describeTags(ri.form, filters)
		f.mu.Unlock()
		if apiErr != nil {
			writeEC2Error(w, apiErr)
		} else {
			writeEC2(w, ri.action, resp)
		}
		return true
	}
	return false
}

// targetsVerifiedAccess: DescribeTags is answered here when its resource-id
// or resource-type filter names Verified Access objects only.
func targetsVerifiedAccess(filters []filter) bool {
	for _, fl := range filters {
		if len(fl.Values) == 0 {
			continue
		}
		all := true
		for _, v := range fl.Values {
			_, byID := kindOfID(v)
			_, byType := kindOfResourceType(v)
			if (fl.Name == "resource-id" && !byID) || (fl.Name == "resource-type" && !byType) {
				all = false
			}
		}
		if (fl.Name == "resource-id" || fl.Name == "resource-type") && all {
			return true
		}
	}
	return false
}

func (f *Front) tagTargets(ids []string) ([]map[string]string, *apiError) {
	var out []map[string]string
	for _, id := range ids {
		k, _ := kindOfID(id)
		tags, ok := f.st.tagsOf(id)
		if !ok {
			return nil, k.notFound(id)
		}
		out = append(out, tags)
	}
	return out, nil
}

func (f *Front) createTags(p params, ids []string) *apiError {
	tags := p.tags("Tag")
	if len(tags) == 0 {
		return errMissing("Tag")
	}
	for _, t := range tags {
		if err := validateTag(t); err != nil {
			return err
		}
	}
	targets, err := f.tagTargets(ids)
	if err != nil {
		return err
	}
	for _, m := range targets {
		n := len(m)
		for _, t := range tags {
			if _, ok := m[t.Key]; !ok {
				n++
			}
		}
		if n > maxTagsPerResource {
			return errTagLimit()
		}
	}
	for _, m := range targets {
		for _, t := range tags {
			m[t.Key] = t.Value
		}
	}
	return nil
}

// deleteTags follows EC2: no Tag deletes every tag; a Tag with a Value
// deletes the tag only when the value matches (an empty Value matches only
// an empty value); a Tag without Value deletes the key whatever its value.
func (f *Front) deleteTags(p params, ids []string) *apiError {
	targets, err := f.tagTargets(ids)
	if err != nil {
		return err
	}
	members := p.members("Tag")
	for _, m := range targets {
		if len(members) == 0 {
			for k := range m {
				delete(m, k)
			}
			continue
		}
		for _, tm := range members {
			key := p.get(tm + ".Key")
			if p.has(tm + ".Value") {
				if v, ok := m[key]; ok && v == p.get(tm+".Value") {
					delete(m, key)
				}
				continue
			}
			delete(m, key)
		}
	}
	return nil
}

func (f *Front) describeTags(p params, filters []filter) (requestIDSetter, *apiError) {
	var maxResults int
	if m, err := p.optInt("MaxResults"); err != nil {
		return nil, err
	} else if m != nil {
		if *m < 5 || *m > 1000 {
			return nil, errInvalid("Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *m)
		}
		maxResults = *m
	}
	start := 0
	if tok := p.get("NextToken"); tok != "" {
		n, ok := decodeToken(tok)
		if !ok {
			return nil, errInvalid("The token '%s' is invalid.", tok)
		}
		start = int(n)
	}
	type owned struct {
		c    *common
		kind kind
	}
	var objs []owned
	for _, o := range ordered(f.st.instances) {
		objs = append(objs, owned{&o.common, kindInstance})
	}
	for _, o := range ordered(f.st.trustProviders) {
		objs = append(objs, owned{&o.common, kindTrustProvider})
	}
	for _, o := range ordered(f.st.groups) {
		objs = append(objs, owned{&o.common, kindGroup})
	}
	for _, o := range ordered(f.st.endpoints) {
		objs = append(objs, owned{&o.common, kindEndpoint})
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].c.Seq < objs[j].c.Seq })

	var all []xTagDescription
	for _, o := range objs {
		for _, t := range o.c.tagList() {
			d := xTagDescription{ResourceID: o.c.ID, ResourceType: o.kind.ResourceType, Key: t.Key, Value: t.Value}
			ok, err := tagDescriptionMatches(d, filters)
			if err != nil {
				return nil, err
			}
			if ok {
				all = append(all, d)
			}
		}
	}
	if start > len(all) {
		start = len(all)
	}
	resp := &respTags{Tags: all[start:]}
	if maxResults > 0 && len(resp.Tags) > maxResults {
		resp.Tags = resp.Tags[:maxResults]
		resp.NextToken = encodeToken(int64(start + maxResults))
	}
	return resp, nil
}

func tagDescriptionMatches(d xTagDescription, filters []filter) (bool, *apiError) {
	for _, fl := range filters {
		var have string
		switch {
		case fl.Name == "resource-id":
			have = d.ResourceID
		case fl.Name == "resource-type":
			have = d.ResourceType
		case fl.Name == "key":
			have = d.Key
		case fl.Name == "value":
			have = d.Value
		case strings.HasPrefix(fl.Name, "tag:"):
			if d.Key != fl.Name[4:] {
				return false, nil
			}
			have = d.Value
		default:
			return false, errInvalid("The filter '%s' is invalid", fl.Name)
		}
		hit := false
		for _, v := range fl.Values {
			if globMatch(v, have) {
				hit = true
			}
		}
		if !hit {
			return false, nil
		}
	}
	return true, nil
}
