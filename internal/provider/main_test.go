package provider_test

import (
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

func TestMain(m *testing.M) {
	acctest.Main(m, acctest.Options{AWS: true, Kubernetes: true})
}
