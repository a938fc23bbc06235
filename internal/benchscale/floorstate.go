package benchscale

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
)

// ReplicateFloorState completes the state of a floor configuration of
// which Terraform applied only the first resource: that resource's entry is
// copied for every rule, with the rule as input and output and a fresh id,
// as Terraform would have written it.
func ReplicateFloorState(path string, rules []FloorRule) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("floor state %s: %w", path, err)
	}
	resources, _ := st["resources"].([]any)
	if len(resources) != 1 {
		return fmt.Errorf("floor state %s: %d resources after applying one, want 1", path, len(resources))
	}
	template, err := json.Marshal(resources[0])
	if err != nil {
		return err
	}
	out := make([]any, len(rules))
	for i, r := range rules {
		var res map[string]any
		if err := json.Unmarshal(template, &res); err != nil {
			return err
		}
		if res["type"] != "terraform_data" || res["name"] != FloorName(0) {
			return fmt.Errorf("floor state %s: applied %v.%v, want terraform_data.%s", path, res["type"], res["name"], FloorName(0))
		}
		res["name"] = FloorName(i)
		instances, _ := res["instances"].([]any)
		if len(instances) != 1 {
			return fmt.Errorf("floor state %s: %d instances, want 1", path, len(instances))
		}
		attrs, _ := instances[0].(map[string]any)["attributes"].(map[string]any)
		value, err := ruleValue(r)
		if err != nil {
			return err
		}
		for _, k := range []string{"input", "output"} {
			dyn, ok := attrs[k].(map[string]any)
			if !ok {
				return fmt.Errorf("floor state %s: attribute %s is %T, want a dynamic value", path, k, attrs[k])
			}
			dyn["value"] = value
		}
		if attrs["id"], err = uuid(); err != nil {
			return err
		}
		out[i] = res
	}
	st["resources"] = out
	serial, _ := st["serial"].(float64)
	st["serial"] = serial + 1
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// ruleValue is a rule as the generic JSON value its configuration holds.
func ruleValue(r FloorRule) (any, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var v any
	return v, json.Unmarshal(b, &v)
}

// uuid is a random version-4 UUID, as terraform_data's ids are.
func uuid() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
