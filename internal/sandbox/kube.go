// This file wires the Kubernetes half of the sandbox (package kubeapi).

package sandbox

import (
	"context"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/kubeapi"
)

type kubeapiCluster struct{ c *kubeapi.Cluster }

func (k kubeapiCluster) Stop() error            { return k.c.Stop() }
func (k kubeapiCluster) kubeconfigPath() string { return k.c.KubeconfigPath }
func (k kubeapiCluster) host() string           { return k.c.Host }
func (k kubeapiCluster) caPEM() []byte          { return k.c.CAData }

func init() {
	startKube = func(ctx context.Context, workDir string) (kubeCluster, error) {
		c, err := kubeapi.Start(ctx, kubeapi.Options{WorkDir: workDir})
		if err != nil {
			return nil, err
		}
		return kubeapiCluster{c}, nil
	}
}
