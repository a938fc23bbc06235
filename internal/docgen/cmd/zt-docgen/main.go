// Command zt-docgen writes the generated guide templates (see package
// docgen) into a directory, normally templates/guides.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/docgen"
)

func main() {
	dir := flag.String("dir", "templates/guides", "directory to write the guide templates into")
	flag.Parse()
	guides, err := docgen.Guides()
	if err != nil {
		fmt.Fprintln(os.Stderr, "zt-docgen:", err)
		os.Exit(1)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "zt-docgen:", err)
		os.Exit(1)
	}
	for name, text := range guides {
		if err := os.WriteFile(filepath.Join(*dir, name), []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "zt-docgen:", err)
			os.Exit(1)
		}
	}
}
