// Package awsmodel loads AWS's published API models (the service-2.json
// files botocore ships, which moto installs) and checks requests against
// them: required and unknown members, enums, patterns, lengths, ranges,
// list and map sizes and value types, for the ec2, query, json and
// rest-json protocols. The sandbox's front uses it so that a request AWS
// would refuse is refused there too, whatever moto would accept.
package awsmodel

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dlclark/regexp2"
)

// EnvDataDir overrides where the botocore data directory is looked for.
const EnvDataDir = "ZT_BOTOCORE_DATA"

// EnvPython names the Python that has botocore (the one that runs
// moto_server); default python3 from PATH.
const EnvPython = "ZT_BOTOCORE_PYTHON"

// DefaultServices are the botocore model directories the sandbox serves.
var DefaultServices = []string{"ec2", "iam", "sts", "sso-admin", "identitystore", "scheduler", "elbv2", "kms"}

// Locate finds botocore's data directory: $ZT_BOTOCORE_DATA, else asks the
// Python that has moto (and so botocore) installed.
func Locate() (string, error) {
	if dir := os.Getenv(EnvDataDir); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "ec2")); err != nil {
			return "", fmt.Errorf("awsmodel: %s=%s is not a botocore data directory: %w", EnvDataDir, dir, err)
		}
		return dir, nil
	}
	python := os.Getenv(EnvPython)
	if python == "" {
		python = "python3"
	}
	out, err := exec.Command(python, "-c", "import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),'data'))").Output()
	if err != nil {
		var ee *exec.ExitError
		detail := ""
		if errors.As(err, &ee) {
			detail = ": " + strings.TrimSpace(string(ee.Stderr))
		}
		return "", fmt.Errorf("awsmodel: cannot find botocore's API models (install moto, which brings botocore, or set %s to botocore's data directory): %s: %v%s", EnvDataDir, python, err, detail)
	}
	dir := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(dir, "ec2")); err != nil {
		return "", fmt.Errorf("awsmodel: botocore data directory %s has no ec2 model (set %s): %w", dir, EnvDataDir, err)
	}
	return dir, nil
}

// Models are the loaded services, by the service name of the SigV4
// credential scope (the signing name, else the endpoint prefix).
type Models struct {
	bySigningName map[string]*Service
}

// Service is one loaded API model.
type Service struct {
	Name        string // botocore directory, e.g. sso-admin
	SigningName string // SigV4 service, e.g. sso
	Protocol    string // ec2, query, json, rest-json
	Version     string
	Operations  map[string]*Operation
	shapes      map[string]*Shape
	// patternFailures are the model's patterns Go's regexp cannot compile.
	patternFailures []PatternFailure
}

// Operation is one API operation.
type Operation struct {
	Name       string
	Method     string
	RequestURI string
	Input      *Shape // nil when the operation takes no input
	Output     *Shape
}

// Shape is a botocore shape, with its member references resolved.
type Shape struct {
	Name      string
	Type      string
	Members   map[string]*Member
	Required  []string
	Member    *Member // list
	Key       *Member // map
	Value     *Member // map
	Enum      []string
	Pattern   string
	Min       *float64
	Max       *float64
	Flattened bool
	Union     bool
	Document  bool
	Sensitive bool

	// matches is the compiled pattern (nil: no pattern, or none compiled).
	matches func(string) bool
}

// Member is a reference to a shape from a structure, list or map.
type Member struct {
	Shape        *Shape
	LocationName string
	QueryName    string
	Location     string // rest protocols: uri, querystring, header, headers, statusCode
}

type rawModel struct {
	Metadata struct {
		Protocol       string   `json:"protocol"`
		Protocols      []string `json:"protocols"`
		EndpointPrefix string   `json:"endpointPrefix"`
		SigningName    string   `json:"signingName"`
		APIVersion     string   `json:"apiVersion"`
	} `json:"metadata"`
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Input  *rawRef `json:"input"`
		Output *rawRef `json:"output"`
	} `json:"operations"`
	Shapes map[string]rawShape `json:"shapes"`
}

type rawRef struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
	QueryName    string `json:"queryName"`
	Location     string `json:"location"`
}

type rawShape struct {
	Type      string            `json:"type"`
	Members   map[string]rawRef `json:"members"`
	Required  []string          `json:"required"`
	Member    *rawRef           `json:"member"`
	Key       *rawRef           `json:"key"`
	Value     *rawRef           `json:"value"`
	Enum      []string          `json:"enum"`
	Pattern   string            `json:"pattern"`
	Min       *float64          `json:"min"`
	Max       *float64          `json:"max"`
	Flattened bool              `json:"flattened"`
	Union     bool              `json:"union"`
	Document  bool              `json:"document"`
	Sensitive bool              `json:"sensitive"`
}

// Load reads the newest version of each named service under dataDir.
func Load(dataDir string, services []string) (*Models, error) {
	m := &Models{bySigningName: map[string]*Service{}}
	for _, name := range services {
		svc, err := loadService(dataDir, name)
		if err != nil {
			return nil, err
		}
		if other, dup := m.bySigningName[svc.SigningName]; dup {
			return nil, fmt.Errorf("awsmodel: %s and %s both sign as %s", other.Name, name, svc.SigningName)
		}
		m.bySigningName[svc.SigningName] = svc
	}
	return m, nil
}

func loadService(dataDir, name string) (*Service, error) {
	versions, err := os.ReadDir(filepath.Join(dataDir, name))
	if err != nil {
		return nil, fmt.Errorf("awsmodel: service %s: %w", name, err)
	}
	var newest string
	for _, v := range versions {
		if v.IsDir() && v.Name() > newest {
			newest = v.Name()
		}
	}
	if newest == "" {
		return nil, fmt.Errorf("awsmodel: service %s: no API version under %s", name, filepath.Join(dataDir, name))
	}
	raw, err := readModel(filepath.Join(dataDir, name, newest))
	if err != nil {
		return nil, fmt.Errorf("awsmodel: service %s: %w", name, err)
	}
	svc := &Service{
		Name:        name,
		SigningName: raw.Metadata.SigningName,
		Protocol:    raw.Metadata.Protocol,
		Version:     newest,
		Operations:  map[string]*Operation{},
		shapes:      map[string]*Shape{},
	}
	if svc.SigningName == "" {
		svc.SigningName = raw.Metadata.EndpointPrefix
	}
	for shapeName, rs := range raw.Shapes {
		svc.shapes[shapeName] = &Shape{Name: shapeName, Type: rs.Type, Required: rs.Required, Enum: rs.Enum,
			Pattern: rs.Pattern, Min: rs.Min, Max: rs.Max, Flattened: rs.Flattened, Union: rs.Union,
			Document: rs.Document, Sensitive: rs.Sensitive}
	}
	ref := func(r *rawRef) (*Member, error) {
		if r == nil {
			return nil, nil
		}
		sh, ok := svc.shapes[r.Shape]
		if !ok {
			return nil, fmt.Errorf("awsmodel: service %s: unknown shape %s", name, r.Shape)
		}
		return &Member{Shape: sh, LocationName: r.LocationName, QueryName: r.QueryName, Location: r.Location}, nil
	}
	for shapeName, rs := range raw.Shapes {
		sh := svc.shapes[shapeName]
		if len(rs.Members) > 0 {
			sh.Members = map[string]*Member{}
		}
		for mn, mr := range rs.Members {
			if sh.Members[mn], err = ref(&mr); err != nil {
				return nil, err
			}
		}
		if sh.Member, err = ref(rs.Member); err != nil {
			return nil, err
		}
		if sh.Key, err = ref(rs.Key); err != nil {
			return nil, err
		}
		if sh.Value, err = ref(rs.Value); err != nil {
			return nil, err
		}
		if sh.Pattern != "" {
			matches, failure := compilePattern(sh.Pattern)
			sh.matches = matches
			if failure != nil {
				failure.Service, failure.Shape = name, shapeName
				svc.patternFailures = append(svc.patternFailures, *failure)
			}
		}
	}
	for opName, ro := range raw.Operations {
		op := &Operation{Name: opName, Method: ro.HTTP.Method, RequestURI: ro.HTTP.RequestURI}
		if ro.Input != nil {
			if op.Input = svc.shapes[ro.Input.Shape]; op.Input == nil {
				return nil, fmt.Errorf("awsmodel: %s.%s: unknown input shape %s", name, opName, ro.Input.Shape)
			}
		}
		if ro.Output != nil {
			op.Output = svc.shapes[ro.Output.Shape]
		}
		svc.Operations[opName] = op
	}
	sort.Slice(svc.patternFailures, func(i, j int) bool { return svc.patternFailures[i].Shape < svc.patternFailures[j].Shape })
	return svc, nil
}

func readModel(dir string) (*rawModel, error) {
	var r io.Reader
	f, err := os.Open(filepath.Join(dir, "service-2.json.gz"))
	if err == nil {
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = gz
	} else if f, err = os.Open(filepath.Join(dir, "service-2.json")); err == nil {
		defer f.Close()
		r = f
	} else {
		return nil, err
	}
	var raw rawModel
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &raw, nil
}

// javaUnicodeEscape is Java's \uXXXX, which Go's regexp writes \x{XXXX}.
var javaUnicodeEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// compilePattern compiles a model pattern for a whole-value match. AWS
// matches the whole value (IAM refuses the role name "a b" although
// [\w+=,.@-]+ occurs in it), so the pattern is anchored at both ends.
// Go's regexp (RE2) has no lookaround, which a few Java patterns use;
// those are compiled with regexp2 (a backtracking engine with Java's
// lookaround) and reported as a PatternFailure with Fallback set. A
// pattern neither compiles is reported without Fallback and not checked.
func compilePattern(p string) (func(string) bool, *PatternFailure) {
	goSyntax := javaUnicodeEscape.ReplaceAllString(p, `\x{$1}`)
	re, err := regexp.Compile(`^(?:` + goSyntax + `)$`)
	if err == nil {
		return re.MatchString, nil
	}
	failure := &PatternFailure{Pattern: p, Err: err.Error()}
	re2, err2 := regexp2.Compile(`^(?:`+p+`)\z`, regexp2.None)
	if err2 != nil {
		failure.Err += "; regexp2: " + err2.Error()
		return nil, failure
	}
	re2.MatchTimeout = time.Second
	failure.Fallback = true
	return func(s string) bool {
		ok, err := re2.MatchString(s)
		return ok && err == nil
	}, failure
}

// PatternFailure is a model pattern Go's regexp cannot compile. With
// Fallback, regexp2 checks it instead; without, values of its shape are
// checked for everything but the pattern.
type PatternFailure struct {
	Service, Shape, Pattern, Err string
	Fallback                     bool
}

// PatternFailures lists, for every loaded service, the patterns left unchecked.
func (m *Models) PatternFailures() []PatternFailure {
	var out []PatternFailure
	for _, svc := range m.services() {
		out = append(out, svc.patternFailures...)
	}
	return out
}

func (m *Models) services() []*Service {
	out := make([]*Service, 0, len(m.bySigningName))
	for _, s := range m.bySigningName {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Service returns the model serving a SigV4 service name (nil if none).
func (m *Models) Service(signingName string) *Service { return m.bySigningName[signingName] }

// Shape returns a named shape of the service (nil if none).
func (s *Service) Shape(name string) *Shape { return s.shapes[name] }

func numberString(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// SigningNames are the SigV4 services with a loaded model, sorted.
func (m *Models) SigningNames() []string {
	return sortedKeys(m.bySigningName)
}
