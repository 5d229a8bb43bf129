#!/usr/bin/env node
import { runFakeServer } from "./fake-server.js";

const USAGE = `Usage: wa-guard <command> [options]

Commands:
  fake-server    serve the fake WhatsApp Cloud API over HTTP, for tests in any language

Run "wa-guard <command> --help" for a command's options.
`;

const [command, ...rest] = process.argv.slice(2);
if (command === "fake-server") {
  runFakeServer(rest).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`wa-guard fake-server: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
} else if (command === "--help" || command === "-h" || command === "help") {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(
    command === undefined ? USAGE : `wa-guard: unknown command ${JSON.stringify(command)}\n\n${USAGE}`,
  );
  process.exitCode = 2;
}
