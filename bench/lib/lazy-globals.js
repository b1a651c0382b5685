// Preloaded with `node -r` by the start-up diagnosis: reports which of
// node's lazily loaded globals (fetch, FormData, ... load the bundled undici
// on first touch) a program touches, how long the first touch took, and
// where it came from (first touches by the program, not by node itself):
// one line per global on stderr, `lazy-global NAME MS WHERE`; and at exit
// the node core modules that were loaded, `core-modules A B ...`.
'use strict';

const seen = new Set();
for (const key of Object.getOwnPropertyNames(globalThis)) {
  const original = Object.getOwnPropertyDescriptor(globalThis, key);
  if (!original || !original.get || !original.configurable) continue;
  Object.defineProperty(globalThis, key, {
    configurable: true,
    enumerable: original.enumerable,
    set: original.set,
    get() {
      Object.defineProperty(globalThis, key, original);
      const started = process.hrtime.bigint();
      const value = globalThis[key];
      if (!seen.has(key)) {
        seen.add(key);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const where = {};
        Error.captureStackTrace(where);
        const frame = (where.stack.split('\n')[2] || '').trim().replace(/^at /, '');
        // Touches by node's own modules (undici loading itself) and by this hook are noise.
        if (!/node:internal|lazy-globals\.js/.test(frame)) {
          process._rawDebug(`lazy-global ${key} ${ms.toFixed(1)} ${frame}`);
        }
      }
      return value;
    },
  });
}

// Also report the node core modules loaded by the end (compare with bare node).
process.on('exit', () => {
  const modules = process.moduleLoadList
    .filter((m) => m.startsWith('NativeModule '))
    .map((m) => m.slice('NativeModule '.length));
  process._rawDebug(`core-modules ${modules.join(' ')}`);
});
