package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// waitIdle waits, for at most max, until the machine's CPUs were at least
// pct percent idle over one second, so that a round does not start while
// other work holds the cores. It reports the idle share it last saw; on
// systems without /proc/stat it returns at once with -1.
func waitIdle(pct int, max time.Duration) int {
	deadline := time.Now().Add(max)
	for {
		idle := idleOver(time.Second)
		if idle < 0 || idle >= pct || time.Now().After(deadline) {
			return idle
		}
	}
}

// idleOver returns the percentage of CPU time spent idle during d.
func idleOver(d time.Duration) int {
	idle0, total0, ok := cpuTimes()
	if !ok {
		return -1
	}
	time.Sleep(d)
	idle1, total1, ok := cpuTimes()
	if !ok || total1 <= total0 {
		return -1
	}
	return int(100 * (idle1 - idle0) / (total1 - total0))
}

// cpuTimes reads the idle and total jiffies of the "cpu" line of /proc/stat.
func cpuTimes() (idle, total uint64, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, false
	}
	for i, f := range fields[1:] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i == 3 { // idle
			idle = n
		}
	}
	return idle, total, true
}
