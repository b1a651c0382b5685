#!/usr/bin/env node
// The `alooma-cdktf` command of the installed package: the bundled runtime CLI.
const { main } = require('../dist/runtime.js');

main(process.argv).then(
  (code) => {
    // -1: a server (the emulator) keeps running until it is signalled.
    if (code >= 0) process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`error: ${error && error.message ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
