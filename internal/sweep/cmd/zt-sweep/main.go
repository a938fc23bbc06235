// Command zt-sweep lists the objects carrying terraform-provider-zerotrust's
// ownership marks that no given Terraform state claims, and with -delete
// deletes them — in the running sandbox or a test account only.
//
//	zt-sweep [-state FILE ...] [-delete] [-kubeconfig FILE] [-endpoint URL] [-region R]
//	         [-sandbox-identity FILE] [-i-know-this-is-a-real-account]
//
// Without -delete nothing is changed. `make sweep ARGS='-state a.tfstate -delete'`
// runs it against the environment of a running sandbox (make sandbox-up).
// -delete first proves every endpoint is that sandbox's (package
// sandbox/identity: the AWS endpoint answers its challenge, the API server's
// certificate is signed by its CA); an address proves nothing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/identity"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sweep"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	os.Exit(run())
}

func run() int {
	var states stringList
	flag.Var(&states, "state", "a Terraform state (terraform.tfstate or `terraform show -json` output) whose objects are claimed; repeatable")
	del := flag.Bool("delete", false, "delete the unclaimed objects (default: list only, change nothing)")
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster to sweep (default: KUBECONFIG; none means Kubernetes is not swept)")
	endpoint := flag.String("endpoint", "", "AWS endpoint override for every service (default: AWS_ENDPOINT_URL…)")
	region := flag.String("region", "", "AWS region (default: AWS_REGION)")
	noAWS := flag.Bool("no-aws", false, "do not sweep AWS")
	realAccount := flag.Bool("i-know-this-is-a-real-account", false, "allow -delete where the endpoints are not proven to be the running sandbox's (a test account you mean to clean)")
	runID := flag.String("run-id", "", "only objects of this CI run: names carrying -r<id>, VPCs named zt-acc-r<id>-…, and what lives in them (see the real-account guide)")
	sandboxIdentity := flag.String("sandbox-identity", os.Getenv(identity.Env), "identity record of the running sandbox, which -delete proves the endpoints against (default: "+identity.Env+", set by the sandbox's environment)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "zt-sweep: unexpected arguments %v\n", flag.Args())
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	claims, err := sweep.LoadClaims(states...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zt-sweep:", err)
		return 1
	}
	src := sweep.Sources{}
	target := sweep.Target{RealAccount: *realAccount}
	var kubeCfg *rest.Config
	if !*noAWS {
		ep := *endpoint
		src.AWS, err = awsapi.NewClients(ctx, awsapi.Config{Region: *region, Endpoints: awsapi.Endpoints{EC2: ep, SSOAdmin: ep, IdentityStore: ep, STS: ep, IAM: ep}})
		if err != nil {
			fmt.Fprintln(os.Stderr, "zt-sweep: AWS:", err, "(pass -no-aws to sweep Kubernetes only)")
			return 1
		}
		target.AWS = true
	}
	if *kubeconfig != "" || os.Getenv("KUBECONFIG") != "" {
		cfg, err := kube.RESTConfig(kube.Config{ConfigPath: *kubeconfig})
		if err != nil {
			fmt.Fprintln(os.Stderr, "zt-sweep: Kubernetes:", err)
			return 1
		}
		if src.Kube, err = dynamic.NewForConfig(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "zt-sweep: Kubernetes:", err)
			return 1
		}
		target.Kube, kubeCfg = true, cfg
	}

	// Refuse before any read: -delete outside a sandbox changes nothing.
	if *del {
		if !*realAccount {
			var eps []string
			if target.AWS {
				eps = sweep.AWSEndpoints(*endpoint, os.Getenv)
			}
			target.Proof = sweep.Prove(ctx, *sandboxIdentity, eps, kubeCfg)
		}
		if err := sweep.CheckDelete(target); err != nil {
			fmt.Fprintf(os.Stderr, "zt-sweep: nothing deleted: %v\n", err)
			return 2
		}
	}
	inv, err := sweep.List(ctx, src, claims)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zt-sweep:", err)
		return 1
	}
	if *runID != "" {
		var vpcs map[string]bool
		if src.AWS != nil {
			if vpcs, err = sweep.RunVPCs(ctx, src.AWS.EC2, *runID); err != nil {
				fmt.Fprintln(os.Stderr, "zt-sweep:", err)
				return 1
			}
		}
		inv.OnlyRun(*runID, vpcs)
	}
	fmt.Printf("claims from %d state file(s)\n\n", len(states))
	if err := inv.Write(os.Stdout); err != nil {
		return 1
	}
	unclaimed := inv.Unclaimed()
	if !*del {
		fmt.Printf("\ndry run: %d unclaimed object(s) would be swept; nothing changed (pass -delete to delete)\n", len(unclaimed))
		return 0
	}
	if len(unclaimed) == 0 {
		fmt.Println("\nnothing to delete")
		return 0
	}
	fmt.Printf("\ndeleting %d unclaimed object(s)\n", len(unclaimed))
	res, err := sweep.Delete(ctx, src, inv, os.Stdout)
	fmt.Printf("\n%d deleted, %d kept\n", len(res.Deleted), len(res.Kept))
	if err != nil {
		var errs interface{ Unwrap() []error }
		if errors.As(err, &errs) {
			fmt.Fprintf(os.Stderr, "zt-sweep: %d failure(s):\n%v\n", len(errs.Unwrap()), err)
		} else {
			fmt.Fprintln(os.Stderr, "zt-sweep:", err)
		}
		return 1
	}
	return 0
}
