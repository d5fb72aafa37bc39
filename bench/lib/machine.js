/** The machine a figure ran on, as BENCHMARKS.md prints it beside every number. */
import os from 'node:os'
import { readFileSync } from 'node:fs'

const cpuModel = () => {
  try {
    const match = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)
    if (match) return match[1].trim()
  } catch {
    // Not Linux: fall back to what node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown'
}

const memTotalBytes = () => {
  try {
    const match = readFileSync('/proc/meminfo', 'utf8').match(/^MemTotal:\s*(\d+) kB/m)
    if (match) return Number(match[1]) * 1024
  } catch {
    // Not Linux.
  }
  return os.totalmem()
}

export const describeMachine = () => ({
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpu: cpuModel(),
  cores: os.availableParallelism?.() ?? os.cpus().length,
  memoryGiB: Math.round((memTotalBytes() / 2 ** 30) * 10) / 10,
  loadAvg: os.loadavg().map((x) => Math.round(x * 100) / 100),
})
