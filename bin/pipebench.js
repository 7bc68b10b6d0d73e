#!/usr/bin/env node
import module from "node:module";

// Node keeps the compiled code of pipebench's modules on disk (its tmpdir's node-compile-cache, as
// tsc does): each later start skips compiling them. Enabled before they load, so imported after.
module.enableCompileCache?.();
const { main } = await import("../dist/cli/main.js");

// A reader that went away (`pipebench run … | head -1`) ends what we print, not the run: the run
// is stored and its exit code stands. Anything else on stdout or stderr is still an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
// Everything is stored; wait until what was printed has been handed to the OS (a pipe is written
// asynchronously on macOS). A client whose server went away mid-run can still hold a socket or a
// retry timer (a Kafka producer closed against a restarted broker kept one CI run alive for 17 s):
// do not let it keep the process, and the shell or CI job that waits for it.
const flushed = (stream) => new Promise((resolve) => stream.write("", resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
setTimeout(() => process.exit(), 1_000).unref();
