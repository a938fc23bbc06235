package awsapi

import "testing"

// What re-creates an rds or cidr endpoint and what modifies it in place
// follows ModifyVerifiedAccessEndpoint: its RdsOptions take port, subnets
// and RDS endpoint; its CidrOptions take port ranges only.
func TestEndpointSpecMutability(t *testing.T) {
	rds := EndpointSpec{Type: EndpointRDS, RDSClusterARN: "arn:aws:rds:us-east-1:123456789012:cluster:a", Protocol: "tcp", Port: 5432, SubnetIDs: []string{"subnet-1"}}
	cidr := EndpointSpec{Type: EndpointCIDR, CIDR: "10.0.0.0/24", Protocol: "tcp", PortRanges: []PortRange{{22, 22}, {8000, 8080}}, SubnetIDs: []string{"subnet-1"}}
	with := func(s EndpointSpec, f func(*EndpointSpec)) EndpointSpec {
		s.SubnetIDs = append([]string(nil), s.SubnetIDs...)
		s.PortRanges = append([]PortRange(nil), s.PortRanges...)
		f(&s)
		return s
	}
	for name, tc := range map[string]struct {
		a, b               EndpointSpec
		immutable, mutable bool // whether they agree
	}{
		"rds port":                  {rds, with(rds, func(s *EndpointSpec) { s.Port = 3306 }), true, false},
		"rds subnets":               {rds, with(rds, func(s *EndpointSpec) { s.SubnetIDs = []string{"subnet-2"} }), true, false},
		"rds cluster":               {rds, with(rds, func(s *EndpointSpec) { s.RDSClusterARN += "x" }), false, true},
		"rds instance for cluster":  {rds, with(rds, func(s *EndpointSpec) { s.RDSClusterARN, s.RDSInstanceARN = "", s.RDSClusterARN }), false, true},
		"rds endpoint reported":     {rds, with(rds, func(s *EndpointSpec) { s.RDSEndpoint = "a.cluster-x.rds.amazonaws.com" }), true, true},
		"rds endpoint target moved": {with(rds, func(s *EndpointSpec) { s.RDSClusterARN, s.RDSEndpoint = "", "a.example" }), with(rds, func(s *EndpointSpec) { s.RDSClusterARN, s.RDSEndpoint = "", "b.example" }), true, false},
		"cidr ranges":               {cidr, with(cidr, func(s *EndpointSpec) { s.PortRanges = s.PortRanges[:1] }), true, false},
		"cidr one port as Port":     {with(cidr, func(s *EndpointSpec) { s.PortRanges, s.Port = nil, 22 }), with(cidr, func(s *EndpointSpec) { s.PortRanges = s.PortRanges[:1] }), true, true},
		"cidr subnets":              {cidr, with(cidr, func(s *EndpointSpec) { s.SubnetIDs = []string{"subnet-2"} }), false, true},
	} {
		if got := tc.a.SameImmutable(tc.b); got != tc.immutable {
			t.Errorf("%s: SameImmutable = %v, want %v", name, got, tc.immutable)
		}
		if got := tc.a.SameMutable(tc.b); got != tc.mutable {
			t.Errorf("%s: SameMutable = %v, want %v", name, got, tc.mutable)
		}
	}
}
