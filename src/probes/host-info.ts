// The host fingerprint stored with every run, so that two runs are only compared like for like
// (a laptop run against a CI run differs in more than the code under test).
import { readFileSync } from "node:fs";
import os from "node:os";

export interface HostFingerprint {
  cpuModel: string;
  /** CPUs this process may run on (its affinity list; a cgroup CPU quota is not counted here, see engine/spare-cpu.ts). */
  cores: number;
  memoryBytes: number;
  /** Distribution name when known ("Debian GNU/Linux 12 (bookworm)"), else the OS type. */
  os: string;
  kernel: string;
  node: string;
  hostname: string;
}

export function hostFingerprint(): HostFingerprint {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    os: distribution() ?? `${os.type()} ${os.release()}`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    hostname: os.hostname(),
  };
}

/** PRETTY_NAME from /etc/os-release (Linux); undefined elsewhere or when the file is absent. */
function distribution(): string | undefined {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    return m?.[1] || undefined;
  } catch {
    return undefined;
  }
}
