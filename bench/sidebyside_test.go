package bench

import "errors"

// runTimer is the side-by-side timer helper (not written yet).
func runTimer(args []string) error {
	return errors.New("timer helper: not implemented")
}
