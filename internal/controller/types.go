package controller

import "os/exec"

type exitErr = exec.ExitError
