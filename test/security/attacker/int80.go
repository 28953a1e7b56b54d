package main

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// int80 makes an i386-ABI system call; the result is the raw return
// value (a negative errno on failure).
func int80(trap, a1, a2, a3, a4, a5 uintptr) uintptr

// i386Mount is mount(2) through the i386 ABI (number 21), with the target
// copied below 4 GiB where 32-bit pointers reach it.
func i386Mount(target string, flags uintptr) error {
	mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_32BIT)
	if err != nil {
		return fmt.Errorf("mmap below 4 GiB: %w", err)
	}
	defer unix.Munmap(mem)
	copy(mem, target+"\x00")
	const sysMount386 = 21
	r := int80(sysMount386, 0, uintptr(unsafe.Pointer(&mem[0])), 0, flags, 0)
	if e := int32(r); e < 0 && e > -4096 {
		return unix.Errno(-e)
	}
	return nil
}
