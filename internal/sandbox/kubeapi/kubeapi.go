// Package kubeapi runs a real Kubernetes control plane for tests and the
// demo: etcd (Debian's etcd-server) and kube-apiserver (built from
// k8s.io/kubernetes by `make tools`) on free loopback ports, with generated
// certificates, a static admin token and a kubeconfig for clients. It also
// installs the CRDs the provider targets (Istio AuthorizationPolicy) and
// its own (SegmentRecord, a copy of deploy/crds).
package kubeapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

//go:embed crds/*.yaml
var crdFiles embed.FS

// Environment variables that name the binaries explicitly.
const (
	EnvEtcd          = "ZT_ETCD"
	EnvKubeAPIServer = "ZT_KUBE_APISERVER"
	EnvToolsBin      = "ZT_TOOLS_BIN" // set by the Makefile to .tools/bin
)

// Options configure Start.
type Options struct {
	// WorkDir holds data, certificates, logs and the kubeconfig. Required.
	WorkDir string
	// EtcdPath and KubeAPIServerPath override binary discovery.
	EtcdPath, KubeAPIServerPath string
	// StartTimeout bounds the wait for readiness (default 90s).
	StartTimeout time.Duration
}

// Cluster is a running control plane.
type Cluster struct {
	KubeconfigPath string
	Host           string
	Token          string // admin bearer token (group system:masters)
	CAData         []byte

	etcd, apiserver *process
}

// RESTConfig returns a client configuration with admin rights.
func (c *Cluster) RESTConfig() *rest.Config {
	return &rest.Config{Host: c.Host, BearerToken: c.Token, TLSClientConfig: rest.TLSClientConfig{CAData: c.CAData}, QPS: 100, Burst: 200}
}

// Start runs etcd and kube-apiserver, waits until the API server is ready,
// writes a kubeconfig, and installs the embedded CRDs.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	if opts.WorkDir == "" {
		return nil, errors.New("kubeapi: WorkDir is required")
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 90 * time.Second
	}
	etcdBin, err := FindBinary(opts.EtcdPath, EnvEtcd, "etcd")
	if err != nil {
		return nil, err
	}
	apiBin, err := FindBinary(opts.KubeAPIServerPath, EnvKubeAPIServer, "kube-apiserver")
	if err != nil {
		return nil, err
	}
	dirs := map[string]string{}
	for _, d := range []string{"etcd", "certs", "logs"} {
		dirs[d] = filepath.Join(opts.WorkDir, d)
		if err := os.MkdirAll(dirs[d], 0o700); err != nil {
			return nil, err
		}
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	c := &Cluster{}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop())
		}
	}()

	etcdClient := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	etcdPeer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	c.etcd, err = startProcess(etcdBin, filepath.Join(dirs["logs"], "etcd.log"),
		"--name=sandbox", "--data-dir="+dirs["etcd"],
		"--listen-client-urls="+etcdClient, "--advertise-client-urls="+etcdClient,
		"--listen-peer-urls="+etcdPeer, "--initial-advertise-peer-urls="+etcdPeer,
		"--initial-cluster=sandbox="+etcdPeer, "--initial-cluster-state=new",
		"--quota-backend-bytes=1073741824", "--log-level=warn")
	if err != nil {
		return nil, fmt.Errorf("starting etcd: %w", err)
	}

	keys, err := writePKI(dirs["certs"])
	if err != nil {
		return nil, fmt.Errorf("generating certificates: %w", err)
	}
	c.CAData = keys.caPEM
	c.Token, err = randomToken()
	if err != nil {
		return nil, err
	}
	tokenFile := filepath.Join(dirs["certs"], "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(c.Token+",sandbox-admin,sandbox-admin,\"system:masters\"\n"), 0o600); err != nil {
		return nil, err
	}
	c.Host = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	c.apiserver, err = startProcess(apiBin, filepath.Join(dirs["logs"], "kube-apiserver.log"),
		"--etcd-servers="+etcdClient,
		"--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(ports[2]),
		"--cert-dir="+dirs["certs"],
		"--tls-cert-file="+keys.servingCert, "--tls-private-key-file="+keys.servingKey,
		"--service-account-key-file="+keys.saPublicKey, "--service-account-signing-key-file="+keys.saSigningKey,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--token-auth-file="+tokenFile,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--advertise-address=127.0.0.1",
		"--disable-admission-plugins=ServiceAccount",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--v=0")
	if err != nil {
		return nil, fmt.Errorf("starting kube-apiserver: %w", err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	if err := c.waitReady(waitCtx); err != nil {
		return nil, fmt.Errorf("kube-apiserver not ready (log: %s): %w", c.apiserver.logPath, err)
	}
	c.KubeconfigPath = filepath.Join(opts.WorkDir, "kubeconfig")
	if err := c.writeKubeconfig(); err != nil {
		return nil, err
	}
	if err := c.installCRDs(waitCtx); err != nil {
		return nil, fmt.Errorf("installing CRDs: %w", err)
	}
	return c, nil
}

// Stop ends the API server, then etcd; it is safe to call more than once.
// A process that ignores SIGTERM for 10 s is killed, so stopping cannot
// fail; the error is kept for callers that treat Stop as a closer.
func (c *Cluster) Stop() error {
	for _, p := range []*process{c.apiserver, c.etcd} {
		if p != nil {
			p.stop()
		}
	}
	return nil
}

// EnsureNamespace creates a namespace if it does not exist.
func (c *Cluster) EnsureNamespace(ctx context.Context, name string) error {
	cs, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	_, err = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

func (c *Cluster) waitReady(ctx context.Context) error {
	client, err := rest.HTTPClientFor(c.RESTConfig())
	if err != nil {
		return err
	}
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Host+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if !c.apiserver.running() {
			return errors.New("kube-apiserver exited")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last answer: %s)", ctx.Err(), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (c *Cluster) writeKubeconfig() error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["sandbox"] = &clientcmdapi.Cluster{Server: c.Host, CertificateAuthorityData: c.CAData}
	cfg.AuthInfos["sandbox-admin"] = &clientcmdapi.AuthInfo{Token: c.Token}
	cfg.Contexts["sandbox"] = &clientcmdapi.Context{Cluster: "sandbox", AuthInfo: "sandbox-admin", Namespace: "default"}
	cfg.CurrentContext = "sandbox"
	return clientcmd.WriteToFile(*cfg, c.KubeconfigPath)
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// installCRDs creates every embedded CRD and waits until each is Established.
func (c *Cluster) installCRDs(ctx context.Context) error {
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	entries, err := crdFiles.ReadDir("crds")
	if err != nil {
		return err
	}
	for _, e := range entries {
		data, err := crdFiles.ReadFile("crds/" + e.Name())
		if err != nil {
			return err
		}
		obj := &unstructured.Unstructured{}
		if err := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096).Decode(&obj.Object); err != nil {
			return fmt.Errorf("%s: %w", e.Name(), err)
		}
		if _, err := dyn.Resource(crdGVR).Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("%s: %w", e.Name(), err)
		}
		if err := waitEstablished(ctx, dyn, obj.GetName()); err != nil {
			return fmt.Errorf("%s: %w", e.Name(), err)
		}
	}
	return nil
}

func waitEstablished(ctx context.Context, dyn dynamic.Interface, name string) error {
	for {
		got, err := dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, cond := range conds {
				m, _ := cond.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("CRD %s not established: %w", name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// FindBinary resolves a binary: explicit path, then $env, then PATH, then
// $ZT_TOOLS_BIN, then .tools/bin in the repository (found from the working
// directory upwards).
func FindBinary(explicit, env, name string) (string, error) {
	for _, p := range []string{explicit, os.Getenv(env)} {
		if p != "" {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	var dirs []string
	if d := os.Getenv(EnvToolsBin); d != "" {
		dirs = append(dirs, d)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, filepath.Join(d, ".tools", "bin"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found (set %s, put it on the PATH, or run `make tools`)", name, env)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			return nil, fmt.Errorf("listener address %v is not TCP", l.Addr())
		}
		ports = append(ports, addr.Port)
	}
	return ports, nil
}

// process is a child that dies with the test binary (Pdeathsig) and is
// stopped as a process group.
type process struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
}

func startProcess(bin, logPath string, args ...string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	p := &process{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *process) stop() {
	if !p.running() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}
