package driver

import (
	"fmt"
	"sync"
	"testing"

	"virtlxc/internal/domainxml"
)

// TestDefineUndefineRace: definitions and undefinitions of the same name
// race; each call gets a result or a libvirt error, and afterwards every
// config on disk parses and matches the registry.
func TestDefineUndefineRace(t *testing.T) {
	e := newEnv(t)
	xml := []byte("<domain type='lxc'><name>race</name><uuid>3a2787b4-8dec-4ec9-a3b7-c2ac0982bf25</uuid><memory>65536</memory><os><type>exe</type><init>/bin/sh</init></os><devices><console type='pty'/></devices></domain>")
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := e.d.DefineXML(xml, 0); err != nil {
					t.Errorf("define: %v", err)
				}
				ref, err := e.d.LookupByName("race")
				if err != nil {
					continue // undefined by another goroutine meanwhile
				}
				_ = e.d.Undefine(ref, 0) // may already be gone: an error, not a crash
			}
		}()
	}
	wg.Wait()
	names, failed := 0, 0
	n, errs := e.d.store.LoadAll(func(name string, data []byte) error {
		names++
		if _, err := domainxml.Parse(data, domainxml.Options{}); err != nil {
			failed++
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
	if len(errs) > 0 || failed > 0 {
		t.Fatalf("configs that do not read back: %v", errs)
	}
	_, lookErr := e.d.LookupByName("race")
	if (n == 1) != (lookErr == nil) {
		t.Errorf("%d config(s) on disk, lookup error %v: registry and disk disagree", n, lookErr)
	}
}
