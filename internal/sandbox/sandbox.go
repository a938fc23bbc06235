// Package sandbox starts the local stand-ins for the clouds the provider
// talks to, for tests and the demo:
//
//   - AWS: moto_server behind the Verified Access front (package vafront),
//     which implements Verified Access itself and forwards the rest to moto;
//   - Kubernetes: a real kube-apiserver with etcd (package kubeapi).
//
// Env() gives the environment that points every AWS SDK client and kubectl
// at the sandbox.
package sandbox

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/awsmodel"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/identity"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/moto"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// Options select what to start.
type Options struct {
	// WorkDir holds logs and generated files; empty means a temporary
	// directory removed by Stop.
	WorkDir    string
	AWS        bool
	Kubernetes bool
	// RulesPerSecurityGroup raises the EC2 quota of rules per security
	// group and direction above AWS's default of 60 (0 keeps it), as AWS
	// does on request.
	RulesPerSecurityGroup int
}

// loadModels loads the AWS API models the front checks every request
// against (package awsmodel); without them the sandbox does not start, so
// no run passes on requests AWS would refuse.
func loadModels() (*awsmodel.Models, error) {
	dir, err := awsmodel.Locate()
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	models, err := awsmodel.Load(dir, awsmodel.DefaultServices)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return models, nil
}

// Credentials and region the sandbox expects; moto accepts any.
const (
	AccessKeyID     = "test"
	SecretAccessKey = "test"
	Region          = "us-east-1"
)

// Sandbox is a running sandbox.
type Sandbox struct {
	workDir    string
	ownWorkDir bool
	moto       *moto.Server
	front      *vafront.Server
	frontLog   *os.File // front.log: the front's own lines (scheduler invocations …)
	kube       kubeCluster
	identity   string // path of the identity record (package identity)
}

// kubeCluster is the part of kubeapi.Cluster the sandbox uses.
type kubeCluster interface {
	Stop() error
	kubeconfigPath() string
	host() string
	caPEM() []byte
}

// startKube starts the Kubernetes half; kube.go wires it to package kubeapi.
var startKube func(ctx context.Context, workDir string) (kubeCluster, error)

// Start starts the selected halves. On error everything already started is
// stopped again.
func Start(ctx context.Context, opts Options) (_ *Sandbox, err error) {
	if !opts.AWS && !opts.Kubernetes {
		return nil, errors.New("sandbox: nothing to start (set AWS and/or Kubernetes)")
	}
	s := &Sandbox{workDir: opts.WorkDir}
	if s.workDir == "" {
		if s.workDir, err = os.MkdirTemp("", "zt-sandbox-"); err != nil {
			return nil, err
		}
		s.ownWorkDir = true
	} else if err := os.MkdirAll(s.workDir, 0o755); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.Stop())
		}
	}()

	var rec identity.Record
	if opts.AWS {
		key, err := identity.NewKey()
		if err != nil {
			return nil, err
		}
		rec.AWSKey = hex.EncodeToString(key)
		models, err := loadModels()
		if err != nil {
			return nil, err
		}
		s.moto, err = moto.Start(ctx, moto.Options{WorkDir: filepath.Join(s.workDir, "moto"), RulesPerSecurityGroup: opts.RulesPerSecurityGroup})
		if err != nil {
			return nil, err
		}
		if s.frontLog, err = os.Create(filepath.Join(s.workDir, "front.log")); err != nil {
			return nil, err
		}
		s.front, err = vafront.Start(vafront.Options{Upstream: s.moto.URL, Region: Region, IdentityKey: key, Models: models,
			Logger: log.New(s.frontLog, "", log.LstdFlags|log.LUTC)}, "")
		if err != nil {
			return nil, fmt.Errorf("sandbox: front: %w", err)
		}
	}
	if opts.Kubernetes {
		if startKube == nil {
			return nil, errors.New("sandbox: the Kubernetes half (package kubeapi) is not built in")
		}
		s.kube, err = startKube(ctx, filepath.Join(s.workDir, "kube"))
		if err != nil {
			return nil, fmt.Errorf("sandbox: kubernetes: %w", err)
		}
		rec.KubeCA = string(s.kube.caPEM())
	}
	s.identity = filepath.Join(s.workDir, "identity.json")
	if err := identity.Write(s.identity, rec); err != nil {
		return nil, err
	}
	return s, nil
}

// WorkDir is where logs (front.log, moto/moto_server.log, kube/…) are written.
func (s *Sandbox) WorkDir() string { return s.workDir }

// AWSEndpoint is the front's URL ("" without AWS).
func (s *Sandbox) AWSEndpoint() string {
	if s.front == nil {
		return ""
	}
	return s.front.URL
}

// MotoEndpoint is moto_server's own URL, bypassing the front ("" without AWS).
func (s *Sandbox) MotoEndpoint() string {
	if s.moto == nil {
		return ""
	}
	return s.moto.URL
}

// Control is the client of the front's control API (nil without AWS).
func (s *Sandbox) Control() *vafront.Control {
	if s.front == nil {
		return nil
	}
	return s.front.Control()
}

// KubeconfigPath is the kubeconfig of the local cluster ("" without Kubernetes).
func (s *Sandbox) KubeconfigPath() string {
	if s.kube == nil {
		return ""
	}
	return s.kube.kubeconfigPath()
}

// KubeHost is the API server URL of the local cluster ("" without Kubernetes).
func (s *Sandbox) KubeHost() string {
	if s.kube == nil {
		return ""
	}
	return s.kube.host()
}

// Env is the environment pointing clients at the sandbox.
func (s *Sandbox) Env() map[string]string {
	env := map[string]string{identity.Env: s.identity}
	if s.front != nil {
		env["AWS_ENDPOINT_URL"] = s.front.URL
		env["AWS_ACCESS_KEY_ID"] = AccessKeyID
		env["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey
		env["AWS_REGION"] = Region
		env["AWS_DEFAULT_REGION"] = Region
		env["AWS_EC2_METADATA_DISABLED"] = "true"
		env["ZT_SANDBOX_CONTROL_URL"] = s.front.ControlURL()
	}
	if s.kube != nil {
		env["KUBECONFIG"] = s.kube.kubeconfigPath()
	}
	return env
}

// Stop stops everything started, Kubernetes first, then the front, then moto.
func (s *Sandbox) Stop() error {
	var errs []error
	if s.kube != nil {
		errs = append(errs, s.kube.Stop())
		s.kube = nil
	}
	if s.front != nil {
		errs = append(errs, s.front.Close())
		s.front = nil
	}
	if s.frontLog != nil {
		errs = append(errs, s.frontLog.Close())
		s.frontLog = nil
	}
	if s.moto != nil {
		errs = append(errs, s.moto.Stop())
		s.moto = nil
	}
	if s.ownWorkDir {
		errs = append(errs, os.RemoveAll(s.workDir))
		s.ownWorkDir = false
	}
	return errors.Join(errs...)
}
