package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/reach"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

var _ datasource.DataSource = (*reachabilityDataSource)(nil)

func newReachabilityDataSource() datasource.DataSource { return &reachabilityDataSource{} }

// reachabilityDataSource reports what the declared flows let reach what, and
// every route (lateral movement included) into a sensitive segment.
type reachabilityDataSource struct{}

type reachabilityModel struct {
	Segments       []reachSegmentModel `tfsdk:"segments"`
	Flows          types.Dynamic       `tfsdk:"flows"`
	MinSensitivity types.String        `tfsdk:"min_sensitivity"`
	MaxHops        types.Number        `tfsdk:"max_hops"`
	MaxPaths       types.Number        `tfsdk:"max_paths"`
	Matrix         types.List          `tfsdk:"matrix"`
	Paths          types.List          `tfsdk:"paths"`
	PathsTruncated types.Bool          `tfsdk:"paths_truncated"`
}

type reachSegmentModel struct {
	Name        types.String          `tfsdk:"name"`
	Sensitivity types.String          `tfsdk:"sensitivity"`
	Kubernetes  *reachKubernetesModel `tfsdk:"kubernetes"`
}

type reachKubernetesModel struct {
	Namespace types.String `tfsdk:"namespace"`
	PodLabels types.Map    `tfsdk:"pod_labels"`
}

type reachFlowModel struct {
	To              types.String `tfsdk:"to"`
	Segment         types.String `tfsdk:"segment"`
	CIDRBlocks      types.List   `tfsdk:"cidr_blocks"`
	Protocol        types.String `tfsdk:"protocol"`
	Ports           types.List   `tfsdk:"ports"`
	Acknowledgement types.String `tfsdk:"acknowledgement"`
}

var reachMatrixAttrTypes = map[string]attr.Type{
	"from": types.StringType, "to": types.StringType, "protocol": types.StringType, "ports": types.ListType{ElemType: types.StringType},
}

var reachPathAttrTypes = map[string]attr.Type{
	"path": types.ListType{ElemType: types.StringType}, "hops": types.Int64Type, "into": types.StringType,
	"sensitivity": types.StringType, "from_internet": types.BoolType,
}

func (d *reachabilityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_reachability"
}

func (d *reachabilityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reachability of declared segments and flows, computed from the declaration alone (no AWS or Kubernetes " +
			"call): the segment × segment matrix and every route — direct or through other segments, from segments or CIDR " +
			"sources such as the internet — into a confidential or restricted segment. Flows are checked as " +
			"`zerotrust_segment_policy` checks them: the open internet straight into a confidential or restricted segment is an " +
			"error unless acknowledged.",
		Attributes: map[string]schema.Attribute{
			"segments": schema.ListNestedAttribute{
				Required:            true,
				MarkdownDescription: "The segments, as `zerotrust_segment` declares them.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{Required: true, MarkdownDescription: "Segment name, unique; flows refer to it."},
					"sensitivity": schema.StringAttribute{
						Optional: true, MarkdownDescription: "`public`, `internal` (default), `confidential` or `restricted`.",
						Validators: []validator.String{stringvalidator.OneOf(model.Sensitivities...)},
					},
					"kubernetes": schema.SingleNestedAttribute{
						Optional: true,
						MarkdownDescription: "Kubernetes placement, as on `zerotrust_segment`. Accepted so a module can pass its segment " +
							"objects unchanged; reachability between segments is the same on either layer, so it does not change the result.",
						Attributes: map[string]schema.Attribute{
							"namespace":  schema.StringAttribute{Required: true, MarkdownDescription: "Namespace of the segment's pods."},
							"pod_labels": schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Labels selecting the segment's pods."},
						},
					},
				}},
			},
			"flows": schema.DynamicAttribute{
				Optional: true,
				MarkdownDescription: "Allowed flows into segments: a list of objects shaped like `zerotrust_segment_policy`'s `allow_from` " +
					"plus `to`, e.g. `[{ to = \"db\", segment = \"app\", ports = [\"5432\"] }]`. A flow's attributes are `to` (required: name " +
					"of the segment the flow enters), exactly one source — `segment` (name of another segment) or `cidr_blocks` (list of CIDR " +
					"blocks; `0.0.0.0/0` is the internet) — `protocol` (`tcp` (default), `udp`, `icmp`, `icmpv6` or `all`), `ports` (list of " +
					"ports `\"443\"` or ranges `\"8000-8080\"`; required for tcp and udp) and `acknowledgement` (why letting the whole internet " +
					"into a confidential or restricted segment is acceptable; turns that error into a warning). Any other attribute is an error, " +
					"so a misspelt source (`from` for `segment`) is not silently dropped.",
			},
			"min_sensitivity": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Report routes into segments at least this sensitive (default `confidential`).",
				Validators:          []validator.String{stringvalidator.OneOf(model.Sensitivities...)},
			},
			"max_hops": schema.NumberAttribute{
				Optional:            true,
				MarkdownDescription: "Longest route reported, in flows crossed: a whole number from 1 to 32 (default 6).",
				Validators:          []validator.Number{wholeNumber{min: 1, max: 32}},
			},
			"max_paths": schema.NumberAttribute{
				Optional:            true,
				MarkdownDescription: "Stop after this many routes, a whole number from 1 to 100000 (default 1000); `paths_truncated` then says so.",
				Validators:          []validator.Number{wholeNumber{min: 1, max: 100000}},
			},
			"matrix": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "What each source may open to each segment: one entry per (from, to, protocol), every flow merged, ordered by destination then source.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"from":     schema.StringAttribute{Computed: true, MarkdownDescription: "Source segment name or canonical CIDR block."},
					"to":       schema.StringAttribute{Computed: true, MarkdownDescription: "Destination segment name."},
					"protocol": schema.StringAttribute{Computed: true, MarkdownDescription: "Protocol."},
					"ports":    schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Ports and ranges, merged and sorted; empty for protocols without ports."},
				}},
			},
			"paths": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Every simple route (no segment twice: cycles are not followed) into a segment at least " +
					"`min_sensitivity` sensitive, direct and multi-hop, from any segment or CIDR source; ordered by target, hops, names.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"path":          schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Nodes from the source to the target."},
					"hops":          schema.Int64Attribute{Computed: true, MarkdownDescription: "Flows crossed (path length − 1)."},
					"into":          schema.StringAttribute{Computed: true, MarkdownDescription: "The sensitive segment reached."},
					"sensitivity":   schema.StringAttribute{Computed: true, MarkdownDescription: "Its sensitivity."},
					"from_internet": schema.BoolAttribute{Computed: true, MarkdownDescription: "The route starts at a CIDR block covering the whole address space."},
				}},
			},
			"paths_truncated": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether `max_paths` cut the route enumeration short."},
		},
	}
}

func (d *reachabilityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m reachabilityModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	segments := map[string]*model.Segment{}
	sensitivity := map[string]string{}
	for i, s := range m.Segments {
		name := s.Name.ValueString()
		if _, dup := segments[name]; dup || name == "" {
			at := path.Root("segments").AtListIndex(i).AtName("name")
			resp.Diagnostics.AddAttributeError(at, "Invalid segment name",
				fmt.Sprintf("%s: segment names must be non-empty and unique; %q is not.", at, name))
			continue
		}
		seg := &model.Segment{Name: name, Sensitivity: valueOr(s.Sensitivity.ValueString(), "internal")}
		if k := s.Kubernetes; k != nil {
			seg.Kubernetes = &model.KubernetesSelector{Namespace: k.Namespace.ValueString(), PodLabels: stringMap(ctx, k.PodLabels, &resp.Diagnostics)}
		}
		segments[name] = seg
		sensitivity[name] = seg.Sensitivity
	}

	byName := make(map[string]model.Segment, len(segments))
	for name, seg := range segments {
		byName[name] = *seg
	}
	byTarget := map[string][]model.Flow{}
	var order []string
	flows := decodeReachFlows(ctx, m.Flows, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	for i, f := range flows {
		at := model.Root("flows").Index(i)
		to, ok := segments[f.To.ValueString()]
		if !ok {
			resp.Diagnostics.AddAttributeError(tfPath(path.Empty(), at.At("to")), "Unknown segment",
				fmt.Sprintf("%s: no segment is named %q. Name one of the segments in segments.", tfPath(path.Empty(), at.At("to")), f.To.ValueString()))
			continue
		}
		var source *model.Segment
		if !f.Segment.IsNull() {
			if source, ok = segments[f.Segment.ValueString()]; !ok {
				resp.Diagnostics.AddAttributeError(tfPath(path.Empty(), at.At("segment")), "Unknown segment",
					fmt.Sprintf("%s: no segment is named %q. Name one of the segments in segments, or give the source as cidr_blocks.", tfPath(path.Empty(), at.At("segment")), f.Segment.ValueString()))
				continue
			}
		}
		hasCIDRs := !f.CIDRBlocks.IsNull() && len(f.CIDRBlocks.Elements()) > 0
		switch {
		case source != nil && hasCIDRs:
			resp.Diagnostics.AddAttributeError(tfPath(path.Empty(), at.At("cidr_blocks")), "One source kind per flow", fmt.Sprintf("%s: set segment or cidr_blocks, not both; write one flow per source kind.", tfPath(path.Empty(), at)))
			continue
		case source == nil && !hasCIDRs:
			resp.Diagnostics.AddAttributeError(tfPath(path.Empty(), at), "Source required", fmt.Sprintf("%s: a flow needs a source: segment (a segment's name) or cidr_blocks.", tfPath(path.Empty(), at)))
			continue
		}
		// The flow is a flow block of the target's policy; segment sources
		// are looked up by name in byName, so none is missing here.
		flows, _, diags := expandFlowBlock(flowModel{
			Segment: f.Segment, CIDRBlocks: f.CIDRBlocks, Protocol: f.Protocol, Ports: f.Ports,
			Acknowledgement: f.Acknowledgement, PrefixListIDs: types.ListNull(types.StringType),
			Description: types.StringNull(), HTTPMethods: types.ListNull(types.StringType), HTTPPaths: types.ListNull(types.StringType),
		}, model.Inbound, at, byName)
		resp.Diagnostics.Append(diags...)
		if _, seen := byTarget[to.Name]; !seen {
			order = append(order, to.Name)
		}
		byTarget[to.Name] = append(byTarget[to.Name], flows...)
	}
	// Every flow into a segment is judged alone, then all of them together,
	// as the resources judge them: the internet split into prefixes is
	// refused as the whole space is.
	for _, name := range order {
		ps, _ := model.ValidateFlows(*segments[name], byTarget[name])
		appendProblems(&resp.Diagnostics, path.Empty(), ps)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	policies := make([]reach.Policy, 0, len(order))
	for _, name := range order {
		policies = append(policies, reach.Policy{Segment: *segments[name], Flows: byTarget[name]})
	}
	g := reach.NewGraph(policies)

	var cells []attr.Value
	for _, p := range g.Matrix() {
		cells = append(cells, types.ObjectValueMust(reachMatrixAttrTypes, map[string]attr.Value{
			"from": types.StringValue(sideLabel(p.From)), "to": types.StringValue(sideLabel(p.To)),
			"protocol": types.StringValue(p.Protocol), "ports": stringList(p.PortStrings()),
		}))
	}
	routes, truncated := g.Routes(sensitivity, reach.RouteOptions{
		MinSensitivity: m.MinSensitivity.ValueString(),
		MaxHops:        wholeInt(m.MaxHops),
		MaxRoutes:      wholeInt(m.MaxPaths),
	})
	var paths []attr.Value
	for _, r := range routes {
		paths = append(paths, types.ObjectValueMust(reachPathAttrTypes, map[string]attr.Value{
			"path": stringList(r.Nodes), "hops": types.Int64Value(int64(r.Hops())), "into": types.StringValue(r.Into),
			"sensitivity": types.StringValue(r.Sensitivity), "from_internet": types.BoolValue(r.FromInternet),
		}))
	}
	if truncated {
		resp.Diagnostics.AddAttributeWarning(path.Root("max_paths"), "Routes truncated",
			fmt.Sprintf("More than %d routes lead into sensitive segments; only the first are listed. Raise max_paths or lower max_hops.", len(routes)))
	}
	m.Matrix = types.ListValueMust(types.ObjectType{AttrTypes: reachMatrixAttrTypes}, cells)
	m.Paths = types.ListValueMust(types.ObjectType{AttrTypes: reachPathAttrTypes}, paths)
	m.PathsTruncated = types.BoolValue(truncated)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// sideLabel names a matrix end: segment name or canonical CIDR block.
func sideLabel(s reach.Side) string {
	if s.Segment != "" {
		return s.Segment
	}
	return s.String()
}
