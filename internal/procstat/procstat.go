// Package procstat reads /proc/PID/stat, whose second field, the command
// name, may hold spaces and parentheses: the fields are counted after
// its closing parenthesis.
package procstat

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Fields are the fields of a /proc/PID/stat line from field 3 (state)
// on: field n of proc(5) is Fields[n-3].
func Fields(line string) ([]string, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return nil, errors.New("malformed stat line")
	}
	return strings.Fields(line[i+1:]), nil
}

// Read returns the fields (as Fields) of /proc/PID/stat; pid "self" is
// this process.
func Read(pid string) ([]string, error) {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil, err
	}
	f, err := Fields(string(data))
	if err != nil {
		return nil, fmt.Errorf("/proc/%s/stat: %w", pid, err)
	}
	return f, nil
}

// Uint is field n (numbered as in proc(5)) of fields, as a number.
func Uint(fields []string, n int) (uint64, error) {
	if n < 3 || n-3 >= len(fields) {
		return 0, fmt.Errorf("stat line has no field %d", n)
	}
	v, err := strconv.ParseUint(fields[n-3], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat field %d: %w", n, err)
	}
	return v, nil
}
