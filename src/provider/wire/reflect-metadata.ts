/**
 * The part of the Reflect metadata API that tsyringe (a dependency of
 * @peculiar/x509) needs and checks for when it loads. The usual polyfill
 * (`reflect-metadata`) is not a dependency of this package; this one covers
 * the three functions tsyringe calls, and stays out of the way when a real
 * polyfill is already loaded. Import it before @peculiar/x509.
 */
type MetadataKey = unknown;
type Target = object;

interface ReflectMetadata {
  getMetadata?(key: MetadataKey, target: Target): unknown;
  getOwnMetadata?(key: MetadataKey, target: Target): unknown;
  defineMetadata?(key: MetadataKey, value: unknown, target: Target): void;
}

const reflect = Reflect as unknown as ReflectMetadata;

if (typeof reflect.getMetadata !== 'function') {
  const store = new WeakMap<Target, Map<MetadataKey, unknown>>();
  reflect.getOwnMetadata = (key, target) => store.get(target)?.get(key);
  reflect.getMetadata = (key, target) => {
    // own metadata first, then along the prototype chain, as reflect-metadata does
    for (let t: Target | null = target; t; t = Object.getPrototypeOf(t) as Target | null) {
      const found = store.get(t);
      if (found?.has(key)) return found.get(key);
    }
    return undefined;
  };
  reflect.defineMetadata = (key, value, target) => {
    let own = store.get(target);
    if (!own) store.set(target, (own = new Map()));
    own.set(key, value);
  };
}

export {};
