package kube

// This file turns the provider's kubernetes block into a client-go REST
// configuration, with the kubeconfig fallbacks users expect.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Config is the provider's kubernetes block.
type Config struct {
	ConfigPath           string
	ConfigContext        string
	Host                 string
	Token                string // sensitive: never log
	ClusterCACertificate string // PEM
	Insecure             bool
}

// ErrNotConfigured means neither the block nor KUBECONFIG/~/.kube/config gives a cluster.
var ErrNotConfigured = errors.New("no Kubernetes cluster configured: set kubernetes.host or kubernetes.config_path in the provider block, or KUBECONFIG")

// RESTConfig builds the client configuration. Explicit host/token/CA win over
// the kubeconfig file; the file is config_path, else KUBECONFIG, else ~/.kube/config.
func RESTConfig(c Config) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	path := expandHome(c.ConfigPath)
	if path != "" {
		rules.ExplicitPath = path
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: c.ConfigContext}
	if c.Host != "" {
		overrides.ClusterInfo = clientcmdapi.Cluster{
			Server:                   c.Host,
			CertificateAuthorityData: []byte(c.ClusterCACertificate),
			InsecureSkipTLSVerify:    c.Insecure,
		}
		if c.Token != "" {
			overrides.AuthInfo = clientcmdapi.AuthInfo{Token: c.Token}
		}
		// An explicit host must not silently mix with a default kubeconfig's credentials.
		if path == "" {
			rules = &clientcmd.ClientConfigLoadingRules{}
		}
	} else if path == "" && !kubeconfigAvailable(rules) {
		return nil, ErrNotConfigured
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubernetes client configuration: %w", err)
	}
	cfg.UserAgent = "terraform-provider-zerotrust"
	return cfg, nil
}

func kubeconfigAvailable(rules *clientcmd.ClientConfigLoadingRules) bool {
	for _, p := range rules.GetLoadingPrecedence() {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}
