// Preloaded with `node -r` when GNU time is missing: writes the process's
// peak RSS in KiB to $ALOOMA_BENCH_RSS_FILE when it exits.
'use strict';
const fs = require('node:fs');

const file = process.env.ALOOMA_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
