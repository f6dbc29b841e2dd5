// Command pause is the sandbox ("pause") process of the e2e node's Pods, and the main process
// of the small application images the e2e suites run: it holds its namespaces open, reaps
// orphaned children (it is PID 1 when the Pod shares one PID namespace) and exits 0 on SIGTERM
// or SIGINT, as Kubernetes' own pause does. Built by scripts/node/build.sh; nothing pulled.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println("pause (customs e2e) 3.10")
		return
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		// Reap every child that has exited, so none stays a zombie.
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
