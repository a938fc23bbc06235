// Command zt-docgen writes the generated guide templates (see package
// docgen) into a directory, normally templates/guides; with -schema-in and
// -schema-out it instead prepares the CLI's provider schema for tfplugindocs
// (docgen.ProviderSchema).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/docgen"
	"github.com/ztforge/terraform-provider-zerotrust/internal/provider"
)

func main() {
	dir := flag.String("dir", "templates/guides", "directory to write the guide templates into")
	schemaIn := flag.String("schema-in", "", "`terraform providers schema -json` output to prepare for tfplugindocs")
	schemaOut := flag.String("schema-out", "", "where to write the prepared schema")
	flag.Parse()
	if err := run(*dir, *schemaIn, *schemaOut); err != nil {
		fmt.Fprintln(os.Stderr, "zt-docgen:", err)
		os.Exit(1)
	}
}

func run(dir, schemaIn, schemaOut string) error {
	if schemaIn != "" || schemaOut != "" {
		if schemaIn == "" || schemaOut == "" {
			return fmt.Errorf("-schema-in and -schema-out go together")
		}
		raw, err := os.ReadFile(schemaIn)
		if err != nil {
			return err
		}
		out, err := docgen.ProviderSchema(raw, "zerotrust", provider.DocRequirements(context.Background()))
		if err != nil {
			return err
		}
		return os.WriteFile(schemaOut, out, 0o644)
	}
	guides, err := docgen.Guides()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, text := range guides {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
